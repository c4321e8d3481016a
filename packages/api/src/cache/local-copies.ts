import type { CacheEntry } from './scripts.js';

/** How long a process keeps a copy at most (freshness comes from the tag check, not from this). */
const MAX_AGE_MS = 60_000;

interface LocalCopy extends CacheEntry {
  /** Full Redis keys of `tags`, ready for MGET. */
  tagKeys: string[];
  expiresAt: number;
  bytes: number;
}

/**
 * Copies of entries this process has read, bounded in bytes (the oldest copies go first). A
 * copy is only ever served after an MGET of its tags (one round trip, no Lua, no payload on the
 * wire) returned exactly the versions it was stored with: the same test the read script makes.
 */
export class LocalCopies {
  private readonly copies = new Map<string, LocalCopy>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly tagKey: (name: string) => string,
  ) {}

  get(key: string): LocalCopy | undefined {
    const copy = this.copies.get(key);
    if (!copy) return undefined;
    if (copy.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return copy;
  }

  set(key: string, entry: CacheEntry): void {
    const bytes = entry.payload.length * 2;
    if (bytes > this.maxBytes / 8) return;
    this.delete(key);
    this.copies.set(key, {
      ...entry,
      tagKeys: entry.tags.map(this.tagKey),
      expiresAt: Date.now() + MAX_AGE_MS,
      bytes,
    });
    this.bytes += bytes;
    for (const [oldest, copy] of this.copies) {
      if (this.bytes <= this.maxBytes) break;
      this.copies.delete(oldest);
      this.bytes -= copy.bytes;
    }
  }

  delete(key: string): void {
    const copy = this.copies.get(key);
    if (!copy) return;
    this.copies.delete(key);
    this.bytes -= copy.bytes;
  }

  clear(): void {
    this.copies.clear();
    this.bytes = 0;
  }
}
