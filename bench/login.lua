-- POST /v1/sessions in a loop as BENCH_EMAIL with the demo password: password hashing load,
-- run beside reads to see whether it holds them up.
wrk.method = "POST"
wrk.path = "/v1/sessions"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '","password":"demo-password-1"}'

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
