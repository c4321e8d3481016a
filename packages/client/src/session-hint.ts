/**
 * In cookie mode scripts cannot see the refresh cookie, so the client remembers, without any
 * secret, whether one was issued and until when. With no hint it never tries a refresh (an
 * anonymous visitor causes no failing call); with one it refreshes before the first call of a
 * page load, which restores the sign-in after a reload.
 */
export interface SessionHint {
  /** True while a refresh cookie may exist: issued, not yet ended, not signed out since. */
  get(): boolean;
  set(until: Date): void;
  clear(): void;
}

/** A hint that lives as long as the client. */
export function memorySessionHint(): SessionHint {
  let until = 0;
  return {
    get: () => until > Date.now(),
    set: (end) => {
      until = end.getTime();
    },
    clear: () => {
      until = 0;
    },
  };
}

/** The subset of the Web Storage API the hint needs (localStorage, sessionStorage). */
export interface HintStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function isHintStorage(value: unknown): value is HintStorage {
  if (typeof value !== 'object' || value === null) return false;
  return ['getItem', 'setItem', 'removeItem'].every((name) => typeof Reflect.get(value, name) === 'function');
}

function defaultStorage(): HintStorage | null {
  try {
    // Reading `localStorage` throws where storage is blocked (some private modes, sandboxed frames).
    const storage: unknown = Reflect.get(globalThis, 'localStorage');
    if (!isHintStorage(storage)) return null;
    const probe = '__inkwell_probe__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

/**
 * A hint kept in Web Storage (localStorage by default) under `key`, so it survives reloads and
 * is shared by the tabs of one origin. It holds only the sign-in's end time. Falls back to
 * memory where storage is unavailable.
 */
export function storageSessionHint(
  key = 'inkwell.session',
  storage: HintStorage | null = defaultStorage(),
): SessionHint {
  if (!storage) return memorySessionHint();
  return {
    get: () => Number(storage.getItem(key) ?? 0) > Date.now(),
    set: (end) => storage.setItem(key, String(end.getTime())),
    clear: () => storage.removeItem(key),
  };
}
