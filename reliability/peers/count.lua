-- wrk: count the answers whose status is not 200 (printed as "COUNT requests=N non200=M" at the end).
bad = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + (t:get("bad") or 0) end
  io.write(string.format("COUNT requests=%d non200=%d\n", summary.requests, b))
end
