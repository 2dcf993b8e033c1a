-- Cycle through the request paths given after `--`, and print the figures wrk's own
-- --latency table lacks (p95) as one JSON line that bench/web.py picks up.
-- `-- POST <path> <json body>...` cycles through JSON bodies POSTed to one path instead.
local requests_by_thread = {}
local n, i = 0, 0

init = function(args)
  if args[1] == "POST" then
    for k = 3, #args do
      n = n + 1
      requests_by_thread[n] = wrk.format("POST", args[2],
        {["Content-Type"] = "application/json"}, args[k])
    end
    return
  end
  for _, path in ipairs(args) do
    n = n + 1
    requests_by_thread[n] = wrk.format("GET", path)
  end
end

request = function()
  i = i % n + 1
  return requests_by_thread[i]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"mean_us":%.1f,"max_us":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
