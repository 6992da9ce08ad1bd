-- The chat frontend's traffic mix for wrk, driven by bench/load.py.
--
--   wrk -t C -c C ... -s bench/load_mix.lua URL -- USERS_FILE FIRST_USER OUT_FILE
--
-- One connection per thread (load.py passes -t equal to -c), so each connection has its own
-- Lua state, its own user and knows which request each response answers. USERS_FILE has one
-- line per user: token, a local wall time later today, one tomorrow, seeded open task ids
-- (comma-separated, recurring ones first). Connection n acts as user FIRST_USER + n.
--
-- Each connection repeats a shuffled cycle of 20 requests with the weights below, as the web
-- app sends them (features/tasks/api/tasks.ts, features/notifications/hooks/useUnread.ts):
--   list   10/20  GET  /api/tasks/?view=today&page_size=50        (the Today tab)
--   unread  4/20  GET  /api/notifications/?unread=true&page_size=1 (the bell's poll)
--   create  3/20  POST /api/tasks/  (a reminder and a tag; every third one recurring daily)
--   done    3/20  POST /api/tasks/{id}/complete/  (the oldest task this connection created and
--                 has not completed; before it created any, a seeded open task)
-- Non-2xx responses are counted per kind; done() prints per-kind counts and latencies and
-- writes the ids of created and completed tasks to OUT_FILE for load.py to check.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } load_mix_timespec;
int clock_gettime(int clk_id, load_mix_timespec *tp);
]])
local timespec = ffi.new("load_mix_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local KINDS = { "list", "unread", "create", "done" }
local WEIGHTS = { list = 10, unread = 4, create = 3, done = 3 }

-- ---------------------------------------------------------------- main state: one per run

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- ---------------------------------------------------------------- thread state: one connection

local cycle, position, serial = {}, 0, 0
local headers, user = {}, {}
local created_open, seeded_open = {}, {}
local current, current_task, started = nil, nil, 0

-- Results, read by done() through thread:get(). Only numbers and strings cross: copying a table
-- between Lua states crashed wrk 4.1's LuaJIT now and then (a general protection fault in
-- done(), more often the more samples), so each thread keeps its results as text:
-- count_<kind> and failed_<kind> numbers, samples_<kind> ("ms;ms;..."), created and completed
-- ("id;id;..."), errors (lines).
created, completed, errors, error_count = "", "", "", 0

local function split(text, sep)
  local out = {}
  for part in string.gmatch(text, "([^" .. sep .. "]+)") do
    table.insert(out, part)
  end
  return out
end

function init(args)
  local users_file, first_user = args[1], tonumber(args[2])
  out_file = args[3]
  local lines = {}
  for line in io.lines(users_file) do
    table.insert(lines, line)
  end
  local fields = split(lines[(first_user + tid) % #lines + 1], "\t")
  user = { token = fields[1], today = fields[2], tomorrow = fields[3] }
  for _, id in ipairs(split(fields[4] or "", ",")) do
    table.insert(seeded_open, tonumber(id))
  end
  headers = {
    ["Authorization"] = "Token " .. user.token,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
  for _, kind in ipairs(KINDS) do
    _G["count_" .. kind], _G["failed_" .. kind], _G["samples_" .. kind] = 0, 0, ""
    for _ = 1, WEIGHTS[kind] do
      table.insert(cycle, kind)
    end
  end
  math.randomseed(1000 + first_user + tid)
  for i = #cycle, 2, -1 do -- Fisher-Yates, the same order for the same connection every run
    local j = math.random(i)
    cycle[i], cycle[j] = cycle[j], cycle[i]
  end
end

local function next_kind()
  position = position % #cycle + 1
  return cycle[position]
end

local function create_body()
  serial = serial + 1
  local due = (serial % 2 == 0) and user.today or user.tomorrow
  local recurrence = ""
  if serial % 3 == 0 then
    recurrence = ',"recurrence":{"rule":"FREQ=DAILY"}'
  end
  return string.format(
    '{"title":"Load task %d-%d","due_at":"%s","tags":["load"],'
      .. '"reminders":[{"offset_minutes":30}]%s}',
    tid,
    serial,
    due,
    recurrence
  )
end

local function take_open_task()
  if #created_open > 0 then
    return table.remove(created_open, 1)
  end
  if #seeded_open > 0 then
    return table.remove(seeded_open, 1)
  end
  return nil
end

function request()
  local kind = next_kind()
  local method, path, body = "GET", nil, nil
  if kind == "done" then
    local id = take_open_task()
    if id == nil then
      kind = "list" -- nothing left to complete: the screen is reloaded instead
    else
      current_task = id
      method, path, body = "POST", "/api/tasks/" .. id .. "/complete/", ""
    end
  end
  if kind == "list" then
    path = "/api/tasks/?view=today&page_size=50"
  elseif kind == "unread" then
    path = "/api/notifications/?unread=true&page_size=1"
  elseif kind == "create" then
    method, path, body = "POST", "/api/tasks/", create_body()
  end
  current = kind
  started = now_ms()
  return wrk.format(method, path, headers, body)
end

function response(status, _, body)
  local kind = current
  _G["count_" .. kind] = _G["count_" .. kind] + 1
  _G["samples_" .. kind] = _G["samples_" .. kind] .. string.format("%.3f;", now_ms() - started)
  if status < 200 or status > 299 then
    _G["failed_" .. kind] = _G["failed_" .. kind] + 1
    if error_count < 5 then
      error_count = error_count + 1
      local excerpt = string.gsub(string.sub(body or "", 1, 200), "%s+", " ")
      errors = errors .. string.format("%s %d %s\n", kind, status, excerpt)
    end
    return
  end
  if kind == "create" then
    local id = tonumber(string.match(body, '^{"id":(%d+)'))
    if id ~= nil then
      created = created .. id .. ";"
      table.insert(created_open, id)
    end
  elseif kind == "done" then
    completed = completed .. current_task .. ";"
  end
end

-- ---------------------------------------------------------------- main state again: the report

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  local index = math.floor(p / 100 * (#sorted - 1) + 0.5) + 1
  return sorted[index]
end

function done(summary, _, _)
  local out = assert(io.open(threads[1]:get("out_file"), "w"))
  local merged = {}
  for _, kind in ipairs(KINDS) do
    merged[kind] = { count = 0, failed = 0, samples = {} }
  end
  for _, thread in ipairs(threads) do
    for _, kind in ipairs(KINDS) do
      merged[kind].count = merged[kind].count + (thread:get("count_" .. kind) or 0)
      merged[kind].failed = merged[kind].failed + (thread:get("failed_" .. kind) or 0)
      for _, ms in ipairs(split(thread:get("samples_" .. kind) or "", ";")) do
        table.insert(merged[kind].samples, tonumber(ms))
      end
    end
    for _, id in ipairs(split(thread:get("created") or "", ";")) do
      out:write("created\t", id, "\n")
    end
    for _, id in ipairs(split(thread:get("completed") or "", ";")) do
      out:write("completed\t", id, "\n")
    end
    for _, line in ipairs(split(thread:get("errors") or "", "\n")) do
      io.write("mix-error\t", line, "\n")
    end
  end
  out:close()
  local all = {}
  for _, kind in ipairs(KINDS) do
    local m = merged[kind]
    for _, ms in ipairs(m.samples) do
      table.insert(all, ms)
    end
    table.sort(m.samples)
    io.write(
      string.format(
        "mix\t%s\t%d\t%d\t%.2f\t%.2f\n",
        kind,
        m.count,
        m.failed,
        percentile(m.samples, 50),
        percentile(m.samples, 99)
      )
    )
  end
  table.sort(all)
  io.write(string.format("mix-all\t%d\t%.2f\t%.2f\n", #all, percentile(all, 50), percentile(all, 99)))
  io.write(string.format("mix-total\t%d\t%d\n", summary.requests, summary.duration))
end
