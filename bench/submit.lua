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

-- The next slot of the schedule; the wait until it (0 when behind).
-- Every submission digs on roads of its own (as different sites would): otherwise each one
-- would find all the earlier ones on the same segment for trench sharing.
function request()
   local n = math.random(1, 1000000)
   local b = wrk.body:gsub("Jingshi Road", "Bench Road " .. n):gsub("Lishan Road", "Bench Avenue " .. n)
   return wrk.format(nil, nil, nil, b)
end

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
