-- Shared by the wrk scripts of bench/http_bench.py: the session and CSRF cookies come from the
-- environment, and done() prints one JSON line that the runner parses.
local M = {}

function M.headers()
  wrk.headers["Cookie"] = "sessionid=" .. os.getenv("BENCH_SESSION") .. "; csrftoken=" .. os.getenv("BENCH_CSRF")
  wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
  wrk.headers["Referer"] = "http://127.0.0.1/"
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end

return M
