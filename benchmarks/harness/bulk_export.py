"""(f) FHIR bulk export throughput: resources per second of a whole-service Group $export, over
HTTP as a SMART backend service does it: register a system client, get a token with client
credentials, kick off, poll the status URL until the manifest, then fetch the NDJSON files.

Throughput is resources / (kick-off to manifest): what the worker builds per second. Fetching
the files is timed separately (reported beside it)."""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from benchmarks.harness.config import CARELOOP_PORT, Profile
from benchmarks.harness.load import Measurement, load_average
from benchmarks.harness.population import BenchError, careloop
from benchmarks.harness.report import Operation

STATUS_TIMEOUT_SECONDS = 600
SCOPE_CHOICES = ("system/*.rs", "system/*.read", "")


class Unavailable(Exception):
    """This build has no bulk export (yet); the reason is reported instead of a figure."""


def _request(
    method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", CARELOOP_PORT, timeout=300)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _register_client(slug: str, env: dict[str, str]) -> tuple[str, str]:
    try:
        output = careloop(
            env["DATABASE_URL"],
            "fhir-client",
            "add",
            f"--service={slug}",
            "--name=Benchmark bulk export",
            "--kind=system",
            env=env,
        )
    except BenchError as error:
        raise Unavailable(f"registering a system client failed: {str(error)[-200:]}") from None
    client_id = re.search(r"client_id: (\S+)", output)
    secret = re.search(r"client_secret: (\S+)", output)
    if client_id is None or secret is None:
        raise Unavailable("careloop fhir-client add printed no credentials")
    return client_id.group(1), secret.group(1)


def _token(client_id: str, secret: str) -> str:
    status, _, body = _request("GET", "/.well-known/smart-configuration", {})
    if status != 200:
        raise Unavailable(f"no SMART configuration ({status})")
    token_path = urllib.parse.urlsplit(json.loads(body)["token_endpoint"]).path
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for scope in SCOPE_CHOICES:
        form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        status, _, body = _request(
            "POST", token_path, headers, urllib.parse.urlencode(form).encode()
        )
        if status == 200:
            return str(json.loads(body)["access_token"])
    raise Unavailable(f"no token by client credentials ({status}: {body[:200]!r})")


def _export(service_id: str, token: str, since: str | None) -> tuple[float, list[dict[str, Any]]]:
    auth = {"Authorization": f"Bearer {token}"}
    kick_off = {**auth, "Accept": "application/fhir+json", "Prefer": "respond-async"}
    path = f"/fhir/r4/Group/{service_id}/$export"
    if since:
        path += "?" + urllib.parse.urlencode({"_since": since})
    started = time.perf_counter()
    status, headers, body = _request("GET", path, kick_off)
    if status != 202:
        raise Unavailable(f"kick-off answered {status}: {body[:200]!r}")
    location = {k.lower(): v for k, v in headers.items()}["content-location"]
    status_path = urllib.parse.urlsplit(location).path
    deadline = started + STATUS_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        status, _, body = _request("GET", status_path, auth)
        if status == 200:
            return time.perf_counter() - started, list(json.loads(body)["output"])
        if status != 202:
            raise BenchError(f"bulk export status answered {status}: {body[:300]!r}")
        time.sleep(0.2)
    raise BenchError(f"the bulk export did not finish within {STATUS_TIMEOUT_SECONDS} s")


def _download(files: list[dict[str, Any]], token: str) -> tuple[int, int, float]:
    """Fetch every file: (resources, bytes, seconds); resources counted as NDJSON lines."""
    started = time.perf_counter()
    resources = size = 0
    for entry in files:
        path = urllib.parse.urlsplit(entry["url"]).path
        status, _, body = _request(
            "GET", path, {"Authorization": f"Bearer {token}", "Accept": "application/fhir+ndjson"}
        )
        if status != 200:
            raise BenchError(f"bulk export file {path} answered {status}")
        resources += sum(1 for line in body.splitlines() if line.strip())
        size += len(body)
    return resources, size, time.perf_counter() - started


def measure(
    fixtures: dict[str, Any],
    env: dict[str, str],
    profile: Profile,
    log: Callable[[str], None],
) -> Operation:
    operation = Operation("bulk_export", "(f) FHIR bulk export (Group $export)")
    operation.unit = "resources/s"
    operation.note = "resources / (kick-off to manifest); file download timed separately"
    since = None
    if profile.export_since_days:
        # The whole 100k population would take minutes at a few thousand resources/s; the last
        # weeks are enough for a rate and keep make bench within its 20 minutes.
        start = profile.end_date - timedelta(days=profile.export_since_days)
        since = f"{start.isoformat()}T00:00:00Z"
        operation.note += f"; _since={since} (the last {profile.export_since_days} days)"
    load = load_average()
    try:
        client_id, secret = _register_client(fixtures["service_slug"], env)
        token = _token(client_id, secret)
        build_seconds, files = _export(fixtures["service_id"], token, since)
    except Unavailable as reason:
        operation.available = False
        operation.note = f"not in this build: {reason}"
        log(f"  bulk export not available: {reason}")
        return operation
    resources, size, download_seconds = _download(files, token)
    operation.runs.append(
        Measurement(
            rps=resources / build_seconds,
            p50_ms=build_seconds * 1000,
            p99_ms=build_seconds * 1000,
            requests=resources,
            errors=0,
            load_avg_1m=load,
            extra={
                "files": len(files),
                "megabytes": round(size / 1e6, 1),
                "build_s": round(build_seconds, 2),
                "download_s": round(download_seconds, 2),
                "latency": "kick-off to manifest, one export",
            },
        )
    )
    log(f"  bulk export {resources} resources in {build_seconds:.1f} s (+{download_seconds:.1f} s)")
    return operation
