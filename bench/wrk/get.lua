-- GET BENCH_PATH; a "{n}" in it cycles through 1..BENCH_POSITIONS (the question page moves on).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local path = os.getenv("BENCH_PATH")
local positions = tonumber(os.getenv("BENCH_POSITIONS") or "1")
local n = 0

function init(args) common.headers() end

function request()
  n = n + 1
  return wrk.format("GET", (path:gsub("{n}", tostring(n % positions + 1))))
end

done = common.done
