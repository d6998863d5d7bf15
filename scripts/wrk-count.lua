-- Counting failed responses under wrk. Each wrk thread runs its own Lua state, so each thread
-- counts its own and done() (in the main state) sums them through thread:get; a counter kept in
-- done()'s own state would always read 0. `accept(status, body)` decides what succeeded (default:
-- status 200, so a redirect to the sign-in page is a failure); a script may define it first.
-- Load with: dofile("scripts/wrk-count.lua") (wrk runs from the repository root).
accept = accept or function(status) return status == 200 end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() bad = 0 end
response = function(status, headers, body) if not accept(status, body) then bad = bad + 1 end end
done = function(summary)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  print("failed responses: " .. total .. " of " .. summary.requests)
end
-- $DUBAN_READ_DELAY_MS (optional): each connection waits this long after a response (a script
-- that sets its own `delay` keeps it)
local read_pause = tonumber(os.getenv("DUBAN_READ_DELAY_MS") or "")
if read_pause and not delay then delay = function() return read_pause end end
