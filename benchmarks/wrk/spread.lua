-- One wrk run spread over several servers: requests.lua does the work (request lines, the
-- BENCH_RESULT line); this only gives each wrk thread its own server. BENCH_PORTS lists the
-- ports ("18781,18783"); thread k talks to port k mod n on 127.0.0.1 with its share of the
-- connections (-c16 -t2 over two ports: 8 connections each). One process, so the latency
-- percentiles in BENCH_RESULT are exact over both servers (two wrk processes could only be
-- added up for throughput).

dofile(os.getenv("BENCH_BASE_SCRIPT"))

local base_setup = setup
local ports = {}
for port in (os.getenv("BENCH_PORTS") or ""):gmatch("%d+") do
  ports[#ports + 1] = port
end
local assigned = 0

function setup(thread)
  base_setup(thread)
  if #ports > 0 then
    local port = ports[assigned % #ports + 1]
    assigned = assigned + 1
    thread.addr = wrk.lookup("127.0.0.1", port)[1]
    thread:set("bench_port", port)
  end
end
