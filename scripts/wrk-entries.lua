-- wrk: ledger entries through the API (POST /api/v1/tasks/{id}/entries), spread over the task ids
-- in the file $DUBAN_IDS (comma-separated), with the Bearer token $DUBAN_TOKEN, dated $DUBAN_TODAY.
local f = assert(io.open(os.getenv("DUBAN_IDS")))
local ids = {}
for id in f:read("*a"):gmatch("%d+") do ids[#ids + 1] = id end
f:close()
local today = os.getenv("DUBAN_TODAY")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("DUBAN_TOKEN")
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local id = ids[(n * 7919) % #ids + 1]
  return wrk.format(nil, "/api/v1/tasks/" .. id .. "/entries", nil,
    '{"kind":"progress","date":"' .. today .. '","body":"按计划推进（压测）"}')
end
-- $DUBAN_DELAY_MS (optional): each connection waits this long after a response, to write at a
-- set rate (16 connections, 15 ms: about 1,000 entries/s) rather than as fast as possible
local pause = tonumber(os.getenv("DUBAN_DELAY_MS") or "")
if pause then delay = function() return pause end end
dofile("scripts/wrk-count.lua")
