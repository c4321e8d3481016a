/**
 * What the client keeps of a sign-in. In cookie mode (browsers) the refresh token lives only in
 * the api's httpOnly cookie, so a store holds just the access token.
 */
export interface Tokens {
  accessToken: string;
  refreshToken?: string | null;
  /**
   * When (epoch ms, this machine's clock) the client refreshes before sending the access token
   * again: 80% into its lifetime, measured from when it arrived, so clock skew does not matter.
   * Absent: the client refreshes only after the api refuses the token.
   */
  refreshAt?: number | null;
}

/**
 * Where the client keeps the caller's tokens. Methods may be async so an app can persist them
 * (a keychain, a file, a server-side session); the client always awaits them.
 */
export interface TokenStore {
  get(): Tokens | null | Promise<Tokens | null>;
  set(tokens: Tokens): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default store: tokens live as long as the client (one per process, page or request). */
export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
    clear: () => {
      tokens = null;
    },
  };
}

/** Share of an access token's lifetime after which the client refreshes ahead of expiry. */
const REFRESH_AHEAD_FRACTION = 0.8;

function base64UrlJson(part: string): unknown {
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

/**
 * Lifetime (ms) of a JWT access token from its own `iat` and `exp`, both stamped by the api's
 * clock, so the difference holds on a client whose clock is off. Null for anything else.
 */
function accessTokenLifetimeMs(accessToken: string): number | null {
  const payload = base64UrlJson(accessToken.split('.')[1] ?? '');
  if (typeof payload !== 'object' || payload === null) return null;
  const iat: unknown = Reflect.get(payload, 'iat');
  const exp: unknown = Reflect.get(payload, 'exp');
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat) return null;
  return (exp - iat) * 1000;
}

/** Checks a server answer before it is stored: only non-empty strings are tokens. */
export function readTokens(value: unknown, receivedAt: number = Date.now()): Tokens | null {
  if (typeof value !== 'object' || value === null) return null;
  const accessToken: unknown = Reflect.get(value, 'accessToken');
  const refreshToken: unknown = Reflect.get(value, 'refreshToken');
  if (typeof accessToken !== 'string' || accessToken.length === 0) return null;
  const lifetime = accessTokenLifetimeMs(accessToken);
  const refreshAt = lifetime === null ? null : receivedAt + Math.floor(lifetime * REFRESH_AHEAD_FRACTION);
  return {
    accessToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken.length > 0 ? refreshToken : null,
    refreshAt,
  };
}

/** The end of the refresh cookie's sign-in an answer announces (`refreshTokenExpiresAt`). */
export function readRefreshEnd(value: unknown): Date | null {
  if (typeof value !== 'object' || value === null) return null;
  const end: unknown = Reflect.get(value, 'refreshTokenExpiresAt');
  if (typeof end !== 'string') return null;
  const date = new Date(end);
  return Number.isNaN(date.getTime()) ? null : date;
}
