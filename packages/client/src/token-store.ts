/**
 * The pair the api issues on login and on every refresh. In a browser the refresh token may
 * live only in the api's httpOnly cookie, so a store may hold just the access token.
 */
export interface Tokens {
  accessToken: string;
  refreshToken?: string | null;
}

/**
 * Where the client keeps the caller's tokens. Methods may be async so an app can persist them
 * (localStorage, a keychain, a file); the client always awaits them.
 */
export interface TokenStore {
  get(): Tokens | null | Promise<Tokens | null>;
  set(tokens: Tokens): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default store: tokens live as long as the process or the page. */
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

/** Checks a server answer before it is stored: only non-empty strings are tokens. */
export function readTokens(value: unknown): Tokens | null {
  if (typeof value !== 'object' || value === null) return null;
  const accessToken: unknown = Reflect.get(value, 'accessToken');
  const refreshToken: unknown = Reflect.get(value, 'refreshToken');
  if (typeof accessToken !== 'string' || accessToken.length === 0) return null;
  if (typeof refreshToken === 'string' && refreshToken.length > 0) return { accessToken, refreshToken };
  return { accessToken };
}
