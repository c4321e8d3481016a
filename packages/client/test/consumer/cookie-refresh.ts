// Run against a live api by package.test.ts: the client as a browser runs it (a `document`
// exists, so cookie mode is the default) with a minimal cookie jar standing in for the browser's.
// Prints one JSON line: whether the refresh token ever reached this code, and the refresh outcome.
import { createInkwellClient, memoryTokenStore } from '@inkwell/client';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

Reflect.set(globalThis, 'document', {});

/** name|path -> cookie, as a browser keys them. */
const jar = new Map<string, { name: string; value: string; path: string }>();
const bodies: string[] = [];
const issued = new Set<string>();
let refreshCalls = 0;
const browserLikeFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  if (url.pathname.endsWith('auth.refresh')) refreshCalls += 1;
  const headers = new Headers(init?.headers);
  const cookies = [...jar.values()].filter((c) => url.pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`);
  if (cookies.length > 0) headers.set('cookie', cookies.join('; '));
  const response = await fetch(input, { ...init, headers });
  for (const line of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const [name = '', value = ''] = pair.split('=');
    const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    if (value) issued.add(value);
    if (value) jar.set(`${name}|${path}`, { name, value, path });
    else jar.delete(`${name}|${path}`);
  }
  const text = await response.clone().text();
  bodies.push(text);
  return response;
};

const tokenStore = memoryTokenStore();
const client = createInkwellClient({ url: required('INKWELL_URL'), fetch: browserLikeFetch, tokenStore });
const login = await client.auth.login.mutate({
  email: required('INKWELL_EMAIL'),
  password: required('INKWELL_PASSWORD'),
});
const stored = await tokenStore.get();
await new Promise((resolve) => setTimeout(resolve, Number(required('INKWELL_EXPIRY_WAIT_MS'))));
const me = await client.auth.me.query();
const cookie = [...jar.values()].find((c) => c.name === 'inkwell_refresh')?.value ?? '';

console.log(
  JSON.stringify({
    loginRefreshToken: login.refreshToken,
    storedRefreshToken: stored?.refreshToken ?? null,
    cookieSet: cookie.length > 0,
    cookiesIssued: issued.size,
    cookieInAnyBody: bodies.some((body) => [...issued].some((value) => body.includes(value))),
    refreshCalls,
    meId: me.id,
    userId: login.user.id,
  }),
);
