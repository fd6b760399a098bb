-- GET /v1/public/fees over keep-alive connections. With BENCH_ETAG set, sends it as
-- If-None-Match (the portal then answers 304). Prints one RESULT line for bench/run.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH") or "/v1/public/fees"
local etag = os.getenv("BENCH_ETAG")
if etag and etag ~= "" then
   wrk.headers["If-None-Match"] = etag
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
