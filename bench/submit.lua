-- POST /v1/applications as the demo applicant: the body is the file BENCH_BODY, the session
-- token BENCH_TOKEN. With BENCH_RATE (requests per second over all connections) and
-- BENCH_CONNS (wrk's -c), requests follow a fixed schedule of BENCH_RATE per second: wrk's
-- delay() holds each next request until its slot on a clock read through LuaJIT's ffi, so the
-- offered rate stays fixed whatever the latency (as long as enough connections are free; see
-- docs/BENCHMARKS.md). Any answer but 201 counts as an error.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.path = "/v1/applications"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

math.randomseed(os.time())
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
local bad = 0
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local next_slot = nil

-- The bodies: with BENCH_BODIES (a directory of 0.json .. N-1.json, N = BENCH_NBODIES), request
-- i (counted from 0 over all connections: wrk -t1 runs one Lua state) sends body i mod N, each
-- at a site and on roads of its own (bench/run writes them from the road register); reference D
-- copies the submissions in the same order. Without, every request sends BENCH_BODY.
local reqs = {}
local dir, nbodies = os.getenv("BENCH_BODIES"), tonumber(os.getenv("BENCH_NBODIES") or "0")
if dir and nbodies > 0 then
   for k = 0, nbodies - 1 do
      local bf = assert(io.open(dir .. "/" .. k .. ".json", "rb"))
      reqs[#reqs + 1] = wrk.format(nil, nil, nil, bf:read("*a"))
      bf:close()
   end
else
   reqs[1] = wrk.format(nil, nil, nil, wrk.body)
end
local seq = 0

function request()
   local r = reqs[(seq % #reqs) + 1]
   seq = seq + 1
   return r
end

-- The next slot of the schedule; the wait until it (0 when behind).
function delay()
   if rate <= 0 then return 0 end
   local now = now_ms()
   if not next_slot or next_slot < now - 1000 then next_slot = now end
   next_slot = next_slot + 1000 / rate
   local wait = next_slot - now
   return wait > 0 and math.floor(wait) or 0
end

function response(status, headers, body)
   if status ~= 201 then
      bad = bad + 1
      if bad <= 3 then io.stderr:write("submit: " .. status .. " " .. body:sub(1, 300) .. "\n") end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
