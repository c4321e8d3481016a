// A consumer of the packed @inkwell/client, run with Node against a live api by package.test.ts.
// It prints one JSON line with what it saw; the test asserts on it.
import {
  createInkwellClient,
  isInkwellError,
  memoryTokenStore,
  type RouterInputs,
  type RouterOutputs,
} from '@inkwell/client';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

let refreshCalls = 0;
const countingFetch: typeof fetch = (input, init) => {
  if (String(input).includes('auth.refresh')) refreshCalls += 1;
  return fetch(input, init);
};
const tokenStore = memoryTokenStore();
const client = createInkwellClient({ url: required('INKWELL_URL'), fetch: countingFetch, tokenStore });

const session: RouterOutputs['auth']['login'] = await client.auth.login.mutate({
  email: required('INKWELL_EMAIL'),
  password: required('INKWELL_PASSWORD'),
});
const draft: RouterInputs['posts']['create'] = {
  title: 'Written by the packed client',
  body: 'It survives an access-token expiry.',
  tags: ['sdk'],
};
const created = await client.posts.create.mutate(draft);
const firstAccessToken = (await tokenStore.get())?.accessToken;
const refreshesBeforeExpiry = refreshCalls;

await new Promise((resolve) => setTimeout(resolve, Number(required('INKWELL_EXPIRY_WAIT_MS'))));

// The access token has expired: these calls (one batch and a few separate requests) all fail
// with UNAUTHORIZED first and must share one refresh.
const [me, post, ...more] = await Promise.all([
  client.auth.me.query(),
  client.posts.byId.query({ id: created.id }),
  ...[1, 2, 3].map(async (i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 10));
    return client.posts.byId.query({ id: created.id });
  }),
]);
const missing = await client.posts.byId.query({ id: '01890000-0000-7000-8000-000000000000' }).then(
  () => null,
  (error: unknown) => error,
);
const title: string = post.title;

console.log(
  JSON.stringify({
    userId: session.user.id,
    meId: me.id,
    postId: created.id,
    readTitle: title,
    readTags: post.tags,
    moreTitles: more.map((p) => p.title),
    refreshesBeforeExpiry,
    refreshesAfterExpiry: refreshCalls - refreshesBeforeExpiry,
    tokenRotated: firstAccessToken !== (await tokenStore.get())?.accessToken,
    notFound: isInkwellError(missing, 'NOT_FOUND'),
  }),
);
