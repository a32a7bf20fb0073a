-- POST to the update floor: same session, CSRF check and login as the autosave.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local path = os.getenv("BENCH_PATH")

function init(args)
  common.headers()
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.format("POST", path, nil, "{}")
end

done = common.done
