"""HTTP load with wrk: a Lua script POSTs individual registrations, each with its own resident ID."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

# The IDs mirror bench.common.resident_id: index i -> birth date and sequence, check char by MOD 11-2.
LUA = r"""
local token, region, nthreads, offset = "@TOKEN@", "@REGION@", @NTHREADS@, @OFFSET@
local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"
local threads, next_tid = {}, 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  n = 0
  statuses = {}
  wrk.method = "POST"
  wrk.path = "/api/v1/customers"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

local function resident_id(i)
  local seq, d = i % 1000, math.floor(i / 1000)
  local first17 = string.format("%s%04d%02d%02d%03d", region, 1950 + math.floor(d / 336),
                                math.floor(d / 28) % 12 + 1, d % 28 + 1, seq)
  local sum = 0
  for k = 1, 17 do sum = sum + tonumber(first17:sub(k, k)) * weights[k] end
  local c = sum % 11 + 1
  return first17 .. checks:sub(c, c)
end

function request()
  local i = offset + tid + n * nthreads
  n = n + 1
  local body = string.format('{"kind":"individual","name":"张伟%d","id_number":"%s","occupation":"teacher",'
    .. '"occupation_class":1,"family_status":"married","dependants":1,"annual_income":"180000.00",'
    .. '"contacts":{"phone":"13800138000"}}', i, resident_id(i))
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do counts[code] = (counts[code] or 0) + count end
  end
  local parts = {}
  for code, count in pairs(counts) do table.insert(parts, string.format('"%s":%d', code, count)) end
  local e = summary.errors
  io.write(string.format('BENCH-JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
    .. '"mean_us":%.1f,"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},'
    .. '"statuses":{%s}}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), latency.mean, latency.max, e.connect, e.read, e.write, e.timeout, e.status,
    table.concat(parts, ",")))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_script(token: str, region: str, threads: int, offset: int = 0) -> str:
    replacements = {"@TOKEN@": token, "@REGION@": region, "@NTHREADS@": str(threads), "@OFFSET@": str(offset)}
    script = LUA
    for key, value in replacements.items():
        script = script.replace(key, value)
    return script


def run(base_url: str, token: str, region: str, connections: int, seconds: float, threads: int = 1) -> dict[str, Any]:
    """Drive POST /api/v1/customers for `seconds`; requests/s, latency and every status code."""
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="inscribe-bench-wrk-") as tmp:
        script = Path(tmp) / "register.lua"
        script.write_text(lua_script(token, region, threads))
        command = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"{base_url}/api/v1/customers",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH-JSON "))
    duration = raw["duration_us"] / 1e6
    statuses = {int(code): count for code, count in raw["statuses"].items()}
    socket_errors = {k: v for k, v in raw["errors"].items() if k != "status" and v}
    return {
        "driver": f"wrk (-t{threads} -c{connections})",
        "connections": connections,
        "duration_s": duration,
        "requests": raw["requests"],
        "rps": raw["requests"] / duration if duration else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "statuses": statuses,
        "socket_errors": socket_errors,
    }
