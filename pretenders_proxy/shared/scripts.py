"""The shared store's layout in Redis and the Lua scripts that change it, each atomic.

Every key of a fleet carries the hash tag `{<prefix>}`: on Redis Cluster a fleet lives in one
slot (its scripts touch several sessions' counters at once), and fleets with other prefixes
spread over the cluster. A session's keys are `{<prefix>}:s:<name>:<part>`; `registry` maps
each live session to its serial, `ids` holds the id counters, and `log` is the stream of what
changed (a session's name and what of it), which every instance follows. A preset's reply that
many history entries answered with is kept once, in the session's `replies` (by digest), and
named by each entry (cleared with the history, whose trimming leaves it: at most one per reply
answered since).

Times come from Redis (`TIME`), so instances on several machines agree on expiry.
"""

from collections.abc import Sequence

PARTS = (
    "meta", "presets", "smtp", "left", "served", "history", "mail", "mode", "cursor", "replies"
)  # fmt: skip
LOG_LENGTH = 100_000
"""About how many changes `log` keeps: an instance further behind than that pulls everything."""


def fleet_keys(prefix: str) -> tuple[str, str, str]:
    """The fleet's registry, id counters and change log."""
    tag = "{" + prefix + "}"
    return f"{tag}:registry", f"{tag}:ids", f"{tag}:log"


def session_key(prefix: str, name: str, part: str) -> str:
    """The key of `part` (one of PARTS) of session `name`."""
    return "{" + prefix + "}:s:" + name + ":" + part


def script_key(prefix: str, name: str) -> str:
    """The one key a script is given: session `name`'s meta; the script makes the others from
    it (all in its slot), which keeps each call short."""
    return session_key(prefix, name, "meta")


PRELUDE = f"""
local META = KEYS[1]
local base = string.sub(META, 1, -5)
local tag = string.match(META, '^{{[^}}]*}}')
local REGISTRY, IDS, LOG = tag .. ':registry', tag .. ':ids', tag .. ':log'
local PRESETS, SMTP, LEFT = base .. 'presets', base .. 'smtp', base .. 'left'
local SERVED, HISTORY, MAIL = base .. 'served', base .. 'history', base .. 'mail'
local MODE, CURSOR, REPLIES = base .. 'mode', base .. 'cursor', base .. 'replies'
local name = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function log(kind)
  local n = redis.call('HINCRBY', IDS, 'log', 1)
  redis.call('XADD', LOG, 'MAXLEN', '~', {LOG_LENGTH}, '*', 's', name, 'k', kind, 'n', n)
end
local function drop()
  redis.call('DEL', META, PRESETS, SMTP, LEFT, SERVED, HISTORY, MAIL, MODE, CURSOR, REPLIES)
  redis.call('HDEL', REGISTRY, name)
  log('drop')
end
local function create(protocol, timeout, now)
  local serial = redis.call('HINCRBY', IDS, 'session', 1)
  redis.call('HSET', REGISTRY, name, serial)
  redis.call('HSET', META, 'protocol', protocol, 'timeout', timeout, 'started', now,
    'seen', now, 'serial', serial, 'pv', 0, 'mv', 0, 'hg', 0, 'mg', 0, 'hdrop', 0,
    'mdrop', 0, 'hbytes', 0, 'mbytes', 0, 'rh', 1, 'rseen', 0)
  log('open')
end
local function alive(now, timeout, seen)  -- META's fields: a session idle too long is dropped
  if not seen then return false end
  if timeout ~= '' and now - tonumber(seen) > tonumber(timeout) then
    drop()
    return false
  end
  return true
end
local function live(now)
  local m = redis.call('HMGET', META, 'timeout', 'seen')
  return alive(now, m[1], m[2])
end
local function open(now, protocol, timeout, most, make)
  if live(now) then return 0 end
  if make ~= '1' then return -1 end
  local count = redis.call('HLEN', REGISTRY)
  if count >= tonumber(most) then return redis.error_reply('TOOMANY ' .. count) end
  create(protocol, timeout, now)
  return 1
end
local function book(which)
  if which == 'smtp' then return SMTP end
  return PRESETS
end
"""

OPEN = """
-- ARGV: name, protocol, timeout ms ('' = forever), max sessions, create?, touch?
local now = now_ms()
local state = open(now, ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if type(state) == 'table' then return state end
if state >= 0 and ARGV[6] == '1' then redis.call('HSET', META, 'seen', now) end
return state
"""

TRAFFIC = """
-- ARGV: name, protocol, timeout, max sessions, create?, presets version, mode version known
local now = now_ms()
local state = open(now, ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if type(state) == 'table' then return state end
if state < 0 then return {state} end
redis.call('HSET', META, 'seen', now)
local v = redis.call('HMGET', META, 'pv', 'mv', 'serial')
local mode = ''
if v[2] ~= ARGV[7] then mode = redis.call('GET', MODE) or '' end
local changes = tonumber(redis.call('HGET', IDS, 'log') or 0)
return {state, tonumber(v[1]), tonumber(v[2]), tonumber(v[3]), mode, changes}
"""

PULL = """
-- ARGV: name, presets version, history generation, last history id, mail generation,
-- last mail id, mode version, with served counts?
local now = now_ms()
if not live(now) then return false end
local meta = redis.call('HGETALL', META)
local m = {}
for i = 1, #meta, 2 do m[meta[i]] = meta[i + 1] end
local presets = false
if m.pv ~= ARGV[2] then
  presets = {redis.call('HKEYS', PRESETS), redis.call('HKEYS', SMTP), redis.call('HGETALL', LEFT)}
end
local served = false
if ARGV[8] == '1' then served = redis.call('HGETALL', SERVED) end
local function since(stream, generation, known, last)
  if generation ~= known then return redis.call('XRANGE', stream, '-', '+') end
  return redis.call('XRANGE', stream, '(' .. last, '+')
end
local history = since(HISTORY, m.hg, ARGV[3], ARGV[4])
local mail = since(MAIL, m.mg, ARGV[5], ARGV[6])
local mode = ''
if m.mv ~= ARGV[7] then mode = redis.call('GET', MODE) or '' end
local changes = tonumber(redis.call('HGET', IDS, 'log') or 0)
-- The replies the history items name (their 'r': see APPEND), each once: digest, packed.
local replies, named = {}, {}
for _, item in ipairs(history) do
  local digest = item[2][10]
  if digest and not named[digest] then
    named[digest] = true
    local reply = redis.call('HGET', REPLIES, digest)
    if reply then replies[#replies + 1], replies[#replies + 2] = digest, reply end
  end
end
return {meta, presets, served, history, mail, mode, now, changes, replies}
"""

ADD_PRESET = """
-- ARGV: name, book, preset, times ('' = forever)
if not live(now_ms()) then return -1 end
local id = redis.call('HINCRBY', IDS, 'preset', 1)
redis.call('HSET', book(ARGV[2]), id, ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', LEFT, id, ARGV[4]) end
redis.call('HINCRBY', META, 'pv', 1)
log('presets')
return id
"""

REMOVE_PRESET = """
-- ARGV: name, preset id
local gone = redis.call('HDEL', PRESETS, ARGV[2]) + redis.call('HDEL', SMTP, ARGV[2])
redis.call('HDEL', LEFT, ARGV[2])
redis.call('HDEL', SERVED, ARGV[2])
if gone > 0 then
  redis.call('HINCRBY', META, 'pv', 1)
  log('presets')
end
return gone
"""

CLEAR_PRESETS = """
-- ARGV: name, book
local key = book(ARGV[2])
for _, id in ipairs(redis.call('HKEYS', key)) do
  redis.call('HDEL', LEFT, id)
  redis.call('HDEL', SERVED, id)
end
redis.call('DEL', key)
if redis.call('EXISTS', META) == 1 then redis.call('HINCRBY', META, 'pv', 1) end
log('presets')
return 1
"""

TAKE = """
-- ARGV: name, preset id. 1: one of its times is the caller's; 0: it is gone (used up).
local id = ARGV[2]
if redis.call('HEXISTS', PRESETS, id) == 0 and redis.call('HEXISTS', SMTP, id) == 0 then
  return 0
end
redis.call('HINCRBY', SERVED, id, 1)
local left = redis.call('HGET', LEFT, id)
if left then
  left = tonumber(left) - 1
  if left <= 0 then
    redis.call('HDEL', PRESETS, id)
    redis.call('HDEL', SMTP, id)
    redis.call('HDEL', LEFT, id)
    redis.call('HINCRBY', META, 'pv', 1)
    log('presets')
  else
    redis.call('HSET', LEFT, id, left)
  end
end
return 1
"""

APPEND = """
-- ARGV: name, 'history' or 'mail', most items, most bytes, the call's token, how many replies
-- are defined, each reply's digest and packed response, then for each item: the item ('' none:
-- the copy keeps no history), its weight, the preset that served it ('' none), the versions it
-- was answered with ('' any; the presets version, or the presets and mode versions as
-- 'pv:mv'), the match key of a replay it counts as ADVANCE does ('' none: a replay whose key
-- has one recording is advanced with its entry, in one call), the digest of the reply it names
-- instead of carrying its response ('' none; defined in the same call: a preset's reply is kept
-- once in REPLIES, not in each of its entries, and PULL hands it out with them). A request is
-- counted (rseen) and kept only where the session keeps history. For each item, its id (0:
-- not kept); -1: the session is gone; -2: its versions changed (nothing kept or advanced). A
-- call sent again (its reply was lost with the connection) gets its first reply: nothing is
-- appended or advanced twice.
local DONE = tag .. ':done:' .. ARGV[5]
local done = redis.call('GET', DONE)
if done then return cjson.decode(done) end
local function remember(replies)  -- a resend comes within seconds (connect timeout: 2 s)
  redis.call('SET', DONE, cjson.encode(replies), 'PX', 15000)
  return replies
end
-- History items carry 'c': the weight of every item of the stream up to them (a running sum in
-- META), so the oldest go in one XTRIM and what is kept weighs last's 'c' - first's 'c' +
-- first's weight, with no dropped item read (XDEL item by item cost more than the rest). Mail
-- (removed one by one too) is weighed as it goes.
local function trimmed(stream, most, last_sum)
  local let_go = redis.call('XTRIM', stream, 'MAXLEN', most)
  local fields = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1][2]
  local total = 0
  if fields[8] then
    total = last_sum - tonumber(fields[8]) + tonumber(fields[6])
  else  -- kept from before items carried it
    for _, item in ipairs(redis.call('XRANGE', stream, '-', '+')) do
      total = total + tonumber(item[2][6])
    end
  end
  return let_go, total
end
-- What the stream weighs and how many items went once `added` more bytes are in (META's
-- fields are written once, by the caller).
local function trim(stream, weighed, added, last_sum)
  local count = redis.call('XLEN', stream)
  local most, most_bytes, let_go, total = tonumber(ARGV[3]), tonumber(ARGV[4]), 0, 0
  if last_sum and count > most then
    let_go, total = trimmed(stream, most, last_sum)
    count = count - let_go
  else
    total = weighed + added
  end
  while count > most or (total > most_bytes and count > 1) do
    local ids = {}
    local n = math.min(math.max(count - most, 1), 500)
    for _, item in ipairs(redis.call('XRANGE', stream, '-', '+', 'COUNT', n)) do
      if count <= most and (total <= most_bytes or count <= 1) then break end
      total = total - tonumber(item[2][6])
      ids[#ids + 1] = item[1]
      count = count - 1
    end
    if #ids == 0 then break end
    redis.call('XDEL', stream, unpack(ids))
    let_go = let_go + #ids
  end
  return let_go, total
end
local now = now_ms()
local defined = tonumber(ARGV[6])
local replies, first, each = {}, 7 + 2 * defined, 6
local history = ARGV[2] == 'history'
local stream, counter, bytes, dropped = HISTORY, 'entry', 'hbytes', 'hdrop'
if not history then stream, counter, bytes, dropped = MAIL, 'mail', 'mbytes', 'mdrop' end
local m = redis.call('HMGET', META, 'timeout', 'seen', 'pv', 'rh', 'mv', 'rseen', bytes,
  bytes .. 'sum', dropped)
if not alive(now, m[1], m[2]) then
  for _ = first, #ARGV, each do replies[#replies + 1] = -1 end
  return remember(replies)
end
local both = (m[3] or '') .. ':' .. (m[5] or '')
local keeps = (not history) or m[4] ~= '0'
local taken, kept, counts = 0, 0, {}
for i = first, #ARGV, each do
  local reply, versions = 0, ARGV[i + 3]
  if versions ~= '' and versions ~= m[3] and versions ~= both then
    reply = -2
  else
    taken = taken + 1
    if ARGV[i] ~= '' and keeps then reply, kept = 1, kept + 1 end
    local served = ARGV[i + 2]
    if served ~= '' then counts[served] = (counts[served] or 0) + 1 end
    if ARGV[i + 4] ~= '' then redis.call('HINCRBY', CURSOR, ARGV[i + 4], 1) end
  end
  replies[#replies + 1] = reply
end
if taken == 0 then return remember(replies) end
local changed = {'seen', now}  -- META's fields, written at once
if history then
  changed[#changed + 1], changed[#changed + 2] = 'rseen', tonumber(m[6] or 0) + taken
end
if kept > 0 then
  local weight = 0
  for j, reply in ipairs(replies) do
    if reply == 1 then weight = weight + tonumber(ARGV[first + (j - 1) * each + 1]) end
  end
  local id = redis.call('HINCRBY', IDS, counter, kept) - kept
  local sum = tonumber(m[8] or 0)
  for k = 7, first - 1, 2 do redis.call('HSETNX', REPLIES, ARGV[k], ARGV[k + 1]) end
  for j, reply in ipairs(replies) do
    if reply == 1 then
      local i = first + (j - 1) * each
      id, sum = id + 1, sum + tonumber(ARGV[i + 1])
      if ARGV[i + 5] == '' then
        redis.call('XADD', stream, '*', 'i', id, 'd', ARGV[i], 'w', ARGV[i + 1], 'c', sum)
      else
        redis.call('XADD', stream, '*', 'i', id, 'd', ARGV[i], 'w', ARGV[i + 1], 'c', sum,
          'r', ARGV[i + 5])
      end
      replies[j] = id
    end
  end
  local let_go, total = trim(stream, tonumber(m[7] or 0), weight, history and sum)
  for _, field in ipairs({bytes .. 'sum', sum, bytes, total}) do changed[#changed + 1] = field end
  if let_go > 0 then
    changed[#changed + 1], changed[#changed + 2] = dropped, tonumber(m[9] or 0) + let_go
  end
end
redis.call('HSET', META, unpack(changed))
-- One with times was counted by the TAKE that handed it out (and may be gone since).
for served, n in pairs(counts) do
  if redis.call('HEXISTS', PRESETS, served) == 1 and redis.call('HEXISTS', LEFT, served) == 0 then
    redis.call('HINCRBY', SERVED, served, n)
  end
end
log(ARGV[2])
return remember(replies)
"""

CLEAR = """
-- ARGV: name, 'history' or 'mail'
if redis.call('EXISTS', META) == 0 then return 0 end
if ARGV[2] == 'mail' then
  redis.call('DEL', MAIL)
  redis.call('HSET', META, 'mbytes', 0, 'mdrop', 0)
  redis.call('HINCRBY', META, 'mg', 1)
else
  redis.call('DEL', HISTORY, REPLIES)
  redis.call('HSET', META, 'hbytes', 0, 'hdrop', 0)
  redis.call('HINCRBY', META, 'hg', 1)
end
log(ARGV[2])
return 1
"""

RECORD_HISTORY = """
-- ARGV: name, '1' (keep history) or '0' (keep none: what was kept goes). A new presets version:
-- every copy answering traffic is checked against it, so each instance follows at once.
if not live(now_ms()) then return -1 end
redis.call('HSET', META, 'rh', ARGV[2])
if ARGV[2] == '0' then
  redis.call('DEL', HISTORY, REPLIES)
  redis.call('HSET', META, 'hbytes', 0, 'hdrop', 0)
  redis.call('HINCRBY', META, 'hg', 1)
end
redis.call('HINCRBY', META, 'pv', 1)
log('history')
return 1
"""

REMOVE_MAIL = """
-- ARGV: name, mail id
for _, item in ipairs(redis.call('XRANGE', MAIL, '-', '+')) do
  if item[2][2] == ARGV[2] then
    redis.call('XDEL', MAIL, item[1])
    redis.call('HINCRBY', META, 'mbytes', -tonumber(item[2][6]))
    redis.call('HINCRBY', META, 'mg', 1)
    log('mail')
    return 1
  end
end
return 0
"""

SET_MODE = """
-- ARGV: name, mode
if not live(now_ms()) then return -1 end
redis.call('SET', MODE, ARGV[2])
redis.call('DEL', CURSOR)
local version = redis.call('HINCRBY', META, 'mv', 1)
log('mode')
return version
"""

ADVANCE = """
-- ARGV: name, the presets and mode versions the callers' copy has ('' unchecked), then one
-- match key a call. For each, how many times equal requests have now been replayed (in the
-- order of the keys); each -1: the session is gone; each -2: the copy is out of date (nothing
-- advanced).
local count = #ARGV - 3
local function each(value)
  local replies = {}
  for i = 1, count do replies[i] = value end
  return replies
end
if ARGV[2] ~= '' then
  local now = now_ms()
  if not live(now) then return each(-1) end
  local v = redis.call('HMGET', META, 'pv', 'mv')
  if v[1] ~= ARGV[2] or v[2] ~= ARGV[3] then return each(-2) end
  redis.call('HSET', META, 'seen', now)
end
local replies = {}
for i = 1, count do replies[i] = redis.call('HINCRBY', CURSOR, ARGV[i + 3], 1) end
return replies
"""

DELETE = """
-- ARGV: name, made again? (the default session is emptied, never gone)
if redis.call('EXISTS', META) == 0 then return 0 end
drop()
if ARGV[2] == '1' then create('http', '', now_ms()) end
return 1
"""

SCRIPTS = {
    "open": OPEN,
    "traffic": TRAFFIC,
    "pull": PULL,
    "add_preset": ADD_PRESET,
    "remove_preset": REMOVE_PRESET,
    "clear_presets": CLEAR_PRESETS,
    "take": TAKE,
    "append": APPEND,
    "clear": CLEAR,
    "record_history": RECORD_HISTORY,
    "remove_mail": REMOVE_MAIL,
    "set_mode": SET_MODE,
    "advance": ADVANCE,
    "delete": DELETE,
}


def sources() -> dict[str, str]:
    """Each script's whole Lua source, the prelude first."""
    return {name: PRELUDE + body for name, body in SCRIPTS.items()}


def flat(pairs: Sequence[bytes]) -> dict[bytes, bytes]:
    """A Redis flat list of field, value (HGETALL's) as a dict."""
    return dict(zip(pairs[::2], pairs[1::2], strict=True))
