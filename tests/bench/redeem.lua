-- make bench: successful redemptions/s (tests/bench/run.sh).  Each request
-- is a fresh success: POST /voucher/einloesen ("Ich habe bereits ein Konto")
-- by a logged-in user with a code of a course that user does not hold yet.
-- REDEEM_TUPLES names a file of lines "cookie <TAB> csrf <TAB> username <TAB>
-- code"; wrk's thread k of REDEEM_THREADS sends the lines k, k + n, ...
-- once each.  A connection whose thread has no line left sends GET /healthz
-- until the thread's last POST is answered; then the thread stops, and the
-- last thread to stop ends wrk's sleep with SIGINT (wrk's own handler: the
-- results are printed as after the full duration).  The rate is timed here
-- (CLOCK_MONOTONIC through LuaJIT's ffi): successes / (last success - first
-- request).  done() prints one line:
--   REDEEM <successes> <other answers> <first µs> <last µs> <p50 ms> <p99 ms> <POSTs sent> <POSTs answered>
local ffi = require("ffi")
ffi.cdef [[
  struct bench_timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clk, struct bench_timespec *ts);
  unsigned long pthread_self(void);
  int pthread_kill(unsigned long thread, int sig);
  void *calloc(size_t n, size_t size);
]]
local ts = ffi.new("struct bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC: the same clock in every thread
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local function self_id()
  return (tostring(ffi.C.pthread_self()):gsub("ULL$", ""))
end

-- setup() runs in wrk's main thread: its id, and one flag per thread
-- ("done") in memory all threads share.
local threads = {}
local next_id = 0
local flags = nil
function setup(thread)
  if not flags then
    flags = ffi.C.calloc(64, ffi.sizeof("int"))
  end
  thread:set("tid", next_id)
  thread:set("main_thread", self_id())
  thread:set("flags_addr", (tostring(ffi.cast("uintptr_t", flags)):gsub("ULL$", "")))
  next_id = next_id + 1
  table.insert(threads, thread)
end

local list, i, n, done_flags
function init(args)
  n = tonumber(os.getenv("REDEEM_THREADS"))
  done_flags = ffi.cast("volatile int *", ffi.cast("uintptr_t", tonumber(flags_addr)))
  list, i = {}, 0
  ok, other, first_us, last_us, sent, answered = 0, 0, 0, 0, 0, 0
  local k = 0
  for line in io.lines(os.getenv("REDEEM_TUPLES")) do
    if k % n == tid then
      local cookie, csrf, username, code = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
      list[#list + 1] = wrk.format("POST", "/voucher/einloesen",
        { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" },
        "csrf=" .. csrf .. "&mode=existing&username=" .. username .. "&code=" .. code)
    end
    k = k + 1
  end
end

-- When this thread's POSTs are all answered: its flag, and SIGINT to wrk's
-- main thread once every thread's flag is set.
local function finish()
  done_flags[tid] = 1
  for k = 0, n - 1 do
    if done_flags[k] == 0 then
      wrk.thread:stop()
      return
    end
  end
  ffi.C.pthread_kill(ffi.cast("unsigned long", tonumber(main_thread)), 2)
  wrk.thread:stop()
end

function request()
  -- wrk's main thread calls request() once in the first thread's state to
  -- check that the script makes a valid request: answered without using a
  -- pair (else that pair would be counted as sent and never be sent).
  if self_id() == main_thread then
    return list[1] or wrk.format("GET", "/healthz")
  end
  i = i + 1
  if i == 1 then first_us = now_us() end
  if i > #list then
    if answered == #list then finish() end
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  return list[i]
end

function response(status, headers, body)
  if status == 200 and body:sub(1, 2) == "ok" then
    return -- a /healthz while the last POSTs are under way
  end
  answered = answered + 1
  if status == 200 and body:find("zugeordnet", 1, true) then
    ok = ok + 1
    last_us = now_us()
  else
    other = other + 1
  end
  if answered == #list then finish() end
end

function done(summary, latency, requests)
  local s, o, first, last, se, an = 0, 0, nil, 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("ok")
    o = o + t:get("other")
    se = se + t:get("sent")
    an = an + t:get("answered")
    local f, l = t:get("first_us"), t:get("last_us")
    if f > 0 and (first == nil or f < first) then first = f end
    if l > last then last = l end
  end
  io.write(string.format("REDEEM %d %d %.0f %.0f %.2f %.2f %d %d\n", s, o, first or 0, last,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, se, an))
end
