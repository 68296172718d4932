-- wrk script shared by every HTTP benchmark: each request is one line, picked at random, of the
-- file named by BENCH_REQUESTS. A line is tab-separated: METHOD, PATH, COOKIE, CSRF, BODY.
-- "{uuid}" in a body becomes a fresh random UUID (a new client_id per submission), "{now}" the
-- current UTC time. At the end one JSON line (prefixed BENCH_RESULT) carries the figures.

local lines = {}
local thread_counter = 0

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

local function load_requests()
  local path = os.getenv("BENCH_REQUESTS")
  local file = assert(io.open(path, "r"), "cannot open BENCH_REQUESTS file " .. tostring(path))
  for line in file:lines() do
    if #line > 0 then
      local f = split(line)
      local headers = { ["Accept"] = "application/json" }
      if f[3] ~= nil and #f[3] > 0 then headers["Cookie"] = f[3] end
      if f[4] ~= nil and #f[4] > 0 then headers["X-CSRFToken"] = f[4] end
      local body = f[5]
      if body ~= nil and #body > 0 then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      lines[#lines + 1] = { method = f[1], path = f[2], headers = headers, body = body }
    end
  end
  file:close()
  assert(#lines > 0, "no requests in " .. path)
end

local function uuid4()
  local r = math.random
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
    r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff), 0x8000 + r(0, 0x3fff),
    r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_number", thread_counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
  load_requests()
end

function request()
  local spec = lines[math.random(1, #lines)]
  local body = spec.body
  if body ~= nil then
    body = body:gsub("{uuid}", uuid4):gsub("{now}", os.date("!%Y-%m-%dT%H:%M:%SZ"))
  end
  return wrk.format(spec.method, spec.path, spec.headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
