-- Authenticated reads with the session token BENCH_TOKEN. BENCH_PATH is the path; a "{id}" in it
-- is replaced per request by a random id from BENCH_ID_MIN to BENCH_ID_MAX (the timeline of a
-- random application). Any answer but 200 counts as an error.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local path = os.getenv("BENCH_PATH")
local lo = tonumber(os.getenv("BENCH_ID_MIN") or "0")
local hi = tonumber(os.getenv("BENCH_ID_MAX") or "0")
local bad = 0

function init(args)
   math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
   local p = path
   if hi > 0 then p = p:gsub("{id}", tostring(math.random(lo, hi))) end
   return wrk.format(nil, p)
end

function response(status, headers, body)
   if status ~= 200 then
      bad = bad + 1
      if bad <= 3 then io.stderr:write("reads: " .. status .. " " .. body:sub(1, 300) .. "\n") end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
