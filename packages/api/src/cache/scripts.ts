import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/*
 * The cache's consistency lives in three Lua scripts, each one round trip and atomic.
 *
 * - The epoch is one global counter, incremented by every invalidation.
 * - A tag's version is the epoch value of its last invalidation (or, when the tag key is missing,
 *   the epoch at the time it was first needed).
 * - An entry stores the versions of its tags it was computed under and is valid while every one
 *   of them is unchanged.
 * - A loader notes the epoch before it reads PostgreSQL; the entry is stored only if none of its
 *   tags has a version above that epoch, i.e. no invalidation of them finished while it loaded.
 *   This also covers tags known only from the loaded value (a post's author).
 *
 * Missing keys are safe in both directions: a missing tag invalidates the entries that name it,
 * and a missing epoch restarts from the server clock in microseconds, which is above any value
 * it could have reached by counting (fewer than a million invalidations a second).
 *
 * The read script builds tag key names itself (they are listed inside the entry), so on Redis
 * Cluster every cache key would need one hash tag to share a slot; on one Redis (or Sentinel)
 * nothing is needed.
 */
const NOW_MICROS = `
local function now_micros()
  local t = redis.call('TIME')
  return string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
end
`;

/**
 * KEYS: entry, epoch. ARGV: tag key prefix. Returns [entry or nil, epoch or nil]: the whole
 * entry (header line, then payload) when all its tags are current.
 */
const READ = `
local entry = redis.call('GET', KEYS[1])
local epoch = redis.call('GET', KEYS[2])
if not entry then return {false, epoch} end
local newline = string.find(entry, '\\n', 1, true)
if not newline then return {false, epoch} end
local header = cjson.decode(string.sub(entry, 1, newline - 1))
local names, versions = header[1], header[2]
if #names > 0 then
  local keys = {}
  for i = 1, #names do keys[i] = ARGV[1] .. names[i] end
  local current = redis.call('MGET', unpack(keys))
  for i = 1, #names do
    if current[i] ~= versions[i] then return {false, epoch} end
  end
end
return {entry, epoch}
`;

/**
 * KEYS: entry, epoch, tag keys. ARGV: epoch before the load ('' if unknown), entry ttl ms,
 * tag ttl ms, payload, tag names (same order as the tag keys). Returns 1 if stored, else 0.
 */
const STORE = `${NOW_MICROS}
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  -- Still no epoch: no invalidation ran since the read either (it would have created one).
  epoch = now_micros()
  redis.call('SET', KEYS[2], epoch)
  if ARGV[1] ~= '' then return 0 end
elseif ARGV[1] == '' then
  -- Created meanwhile, maybe by an invalidation: this load cannot vouch for its result.
  return 0
end
local started = ARGV[1] == '' and tonumber(epoch) or tonumber(ARGV[1])
local versions = {}
for i = 3, #KEYS do
  local version = redis.call('GET', KEYS[i])
  if version then
    redis.call('PEXPIRE', KEYS[i], ARGV[3])
  else
    version = epoch
    redis.call('SET', KEYS[i], version, 'PX', ARGV[3])
  end
  if tonumber(version) > started then return 0 end
  versions[i - 2] = version
end
local names = {}
for i = 5, #ARGV do names[i - 4] = ARGV[i] end
redis.call('SET', KEYS[1], cjson.encode({names, versions}) .. '\\n' .. ARGV[4], 'PX', ARGV[2])
return 1
`;

/** KEYS: epoch, tag keys. ARGV: tag ttl ms. Returns the new epoch. */
const INVALIDATE = `${NOW_MICROS}
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], now_micros()) end
local epoch = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], epoch, 'PX', ARGV[1]) end
return epoch
`;

/** A Lua script run by SHA (EVALSHA), loaded with EVAL the first time a server lacks it. */
export class LuaScript {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

export const cacheScripts = {
  read: new LuaScript(READ),
  store: new LuaScript(STORE),
  invalidate: new LuaScript(INVALIDATE),
};

export interface CacheEntry {
  payload: string;
  /** Tag names and the versions the payload was computed under (same order). */
  tags: string[];
  versions: string[];
}

export interface ReadReply {
  /** The entry, when it exists and all its tags are current. */
  entry: CacheEntry | null;
  /** The epoch at the time of the read (null if Redis has none yet). */
  epoch: string | null;
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Splits a stored entry; the header is what the store script wrote (cjson: `{}` when empty). */
function parseEntry(raw: string): CacheEntry {
  const newline = raw.indexOf('\n');
  const header: unknown = JSON.parse(raw.slice(0, newline));
  if (!Array.isArray(header)) throw new Error('cache entry: bad header');
  const [tags, versions]: unknown[] = header;
  const list = (value: unknown) => (isStringArray(value) ? value : []);
  return { payload: raw.slice(newline + 1), tags: list(tags), versions: list(versions) };
}

export function parseReadReply(reply: unknown): ReadReply {
  if (!Array.isArray(reply)) throw new Error('cache read: unexpected reply');
  const [entry, epoch]: unknown[] = reply;
  if ((entry !== null && typeof entry !== 'string') || (epoch !== null && typeof epoch !== 'string')) {
    throw new Error('cache read: unexpected reply');
  }
  return { entry: entry === null ? null : parseEntry(entry), epoch };
}
