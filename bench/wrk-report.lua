-- wrk report for bench/http-load.sh: one line "requests/s p50 p95 p99 errors non2xx -" (latencies in ms;
-- non2xx counts statuses >= 400, wrk does not tell which).
-- wrk's own --latency table has no p95. Optional method and body: wrk -s wrk-report.lua URL -- POST '{"a":1}'.
function init(args)
  if args[1] then
    wrk.method = args[1]
  end
  if args[2] then
    wrk.body = args[2]
    wrk.headers["Content-Type"] = "application/json"
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("%.1f %.3f %.3f %.3f %d %d -\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
