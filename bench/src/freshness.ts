import pg from 'pg';
import { z } from 'zod';

/** What a reader can see of a post: its title's version, its like count, who likes it. */
export interface PostSnapshot {
  version: number;
  likeCount: number;
  /** Users who like the post (only the bench's readers ever change it). */
  likers: readonly string[];
}

/** One timed read, checked after the run, when every write in its window has been answered. */
export interface Observation {
  postId: string;
  /** The signed-in reader, or null for an anonymous read (which must see likedByMe false). */
  reader: string | null;
  /** Writes acknowledged when the read started / claimed when it ended. */
  from: number;
  to: number;
  seen: { version: number; likeCount: number; likedByMe: boolean };
}

interface PostHistory {
  /** Snapshot after each write, by sequence number (0: as loaded); null: a write with no answer. */
  states: Array<PostSnapshot | null>;
  acknowledged: number;
  inFlight: boolean;
}

const TITLE_VERSION = / v(\d+)$/;

export function titleVersion(title: string): number {
  const match = TITLE_VERSION.exec(title);
  if (!match?.[1]) throw new Error(`unexpected title ${JSON.stringify(title)}`);
  return Number(match[1]);
}

const postRows = z.array(z.object({ id: z.string(), title: z.string(), like_count: z.number() }));
const likeRows = z.array(z.object({ post_id: z.string(), user_id: z.string() }));

/**
 * The staleness checker's record. Each post has at most one write in flight (a title edit or
 * a like toggle), so after its n-th acknowledged write its state is known exactly (from the
 * write's answer). A read is fresh when what it shows equals the state after some write between
 * the last one acknowledged when the read started and the last one claimed when it ended.
 */
export class FreshnessLedger {
  private readonly posts = new Map<string, PostHistory>();

  private constructor(initial: Map<string, PostSnapshot>) {
    for (const [id, snapshot] of initial) this.posts.set(id, { states: [snapshot], acknowledged: 0, inFlight: false });
  }

  /** Starts from the posts' current state in the database (earlier scenarios may have written). */
  static async load(databaseUrl: string, postIds: readonly string[]): Promise<FreshnessLedger> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const posts = postRows.parse(
        (await client.query('select id, title, like_count from posts where id = any($1::uuid[])', [postIds])).rows,
      );
      const likes = likeRows.parse(
        (await client.query('select post_id, user_id from post_likes where post_id = any($1::uuid[])', [postIds])).rows,
      );
      return new FreshnessLedger(
        new Map(
          posts.map((p) => [
            p.id,
            {
              version: titleVersion(p.title),
              likeCount: p.like_count,
              likers: likes.filter((l) => l.post_id === p.id).map((l) => l.user_id),
            },
          ]),
        ),
      );
    } finally {
      await client.end();
    }
  }

  private history(id: string): PostHistory {
    const history = this.posts.get(id);
    if (!history) throw new Error(`post ${id} is not in the ledger`);
    return history;
  }

  /** Claims `id` for a write: its state before the write, or null (a write in flight, or its state unknown). */
  claim(id: string): { seq: number; before: PostSnapshot } | null {
    const history = this.history(id);
    const before = history.states[history.acknowledged];
    if (history.inFlight || !before || history.states.length !== history.acknowledged + 1) return null;
    history.inFlight = true;
    history.states.push(null);
    return { seq: history.acknowledged + 1, before };
  }

  /** The write `seq` answered: `after` is the state it reported; null when it failed (the state is then unknown). */
  release(id: string, seq: number, after: PostSnapshot | null): void {
    const history = this.history(id);
    history.inFlight = false;
    history.states[seq] = after;
    if (after) history.acknowledged = seq;
  }

  acknowledged(id: string): number {
    return this.history(id).acknowledged;
  }

  claimed(id: string): number {
    return this.history(id).states.length - 1;
  }

  current(id: string): PostSnapshot | null {
    const history = this.history(id);
    return history.states[history.acknowledged] ?? null;
  }

  writtenKeys(): string[] {
    return [...this.posts].filter(([, history]) => history.states.length > 1).map(([id]) => id);
  }

  /** Users whose like of `id` the run changed (their signed-in reads are checked at the end). */
  togglers(id: string): string[] {
    const states = this.history(id).states.filter((s): s is PostSnapshot => s !== null);
    const all = new Set(states.flatMap((s) => s.likers));
    return [...all];
  }

  /** `fresh`, `stale`, or `unknown` when a write in its window had no answer. */
  verify(observation: Observation): 'fresh' | 'stale' | 'unknown' {
    const history = this.history(observation.postId);
    let unknown = false;
    for (let seq = observation.from; seq <= observation.to; seq++) {
      const state = history.states[seq];
      if (!state) {
        unknown = true;
        continue;
      }
      const liked = observation.reader !== null && state.likers.includes(observation.reader);
      const { seen } = observation;
      if (seen.version === state.version && seen.likeCount === state.likeCount && seen.likedByMe === liked) {
        return 'fresh';
      }
    }
    return unknown ? 'unknown' : 'stale';
  }
}
