-- Autosave on a fresh attempt: request n saves position n % P + 1 on its k-th visit (k = floor(n / P))
-- with revision k and answer k % 2, so every request is a real write that changes the answer.
-- One thread and a handful of connections: a position's previous save has long been answered
-- when it comes round again, so the revision is always current; any 409 shows as non-2xx.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local path = os.getenv("BENCH_PATH")
local positions = tonumber(os.getenv("BENCH_POSITIONS"))
-- wrk calls request() once after init() to check the script (script_verify_request) and
-- discards that request: start at -1 so that the first request sent is n = 0.
local n = -1

function init(args)
  common.headers()
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if n < 0 then
    n = 0
    return wrk.format("POST", path, nil, "{}")
  end
  local position = n % positions + 1
  local visit = math.floor(n / positions)
  n = n + 1
  local body = string.format('{"position": %d, "selected": [%d], "flagged": %s, "revision": %d}',
    position, visit % 2, (visit % 3 == 0) and "true" or "false", visit)
  return wrk.format("POST", path, nil, body)
end

done = common.done
