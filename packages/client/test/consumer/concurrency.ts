// Run against a live api by package.test.ts: more queries in one tick than the api's batch limit,
// and an infinite query walked page by page, as a React app would do them. Prints one JSON line.
import { createInkwellClient, type RouterOutputs } from '@inkwell/client';
import { createInkwellOptions } from '@inkwell/client/react';
import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const batchSizes: number[] = [];
const client = createInkwellClient({
  url: required('INKWELL_URL'),
  fetch: (input, init) => {
    const path = new URL(String(input)).pathname.split('/').at(-1) ?? '';
    // Batches of the 25 reads (a refresh ahead of expiry may come between them: 1 s tokens).
    if (path.includes('posts.byId')) batchSizes.push(path.split(',').length);
    return fetch(input, init);
  },
});
const me = await client.auth.login.mutate({ email: required('INKWELL_EMAIL'), password: required('INKWELL_PASSWORD') });
const created: RouterOutputs['posts']['create'][] = [];
for (let i = 0; i < 5; i += 1) {
  created.push(await client.posts.create.mutate({ title: `Page post ${i}`, body: 'For the infinite query.' }));
}

// 25 queries in one tick: more than the api's 20 per batch.
batchSizes.length = 0;
const many = await Promise.all(
  Array.from({ length: 25 }, (_, i) => client.posts.byId.query({ id: created[i % 5]?.id ?? '' })),
);
const manyBatchSizes = [...batchSizes];

const queryClient = new QueryClient();
const inkwell = createInkwellOptions({ client, queryClient });
const observer = new InfiniteQueryObserver(
  queryClient,
  inkwell.users.posts.infiniteQueryOptions(
    { id: me.user.id, limit: 2 },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  ),
);
const unsubscribe = observer.subscribe(() => undefined);
let result = await observer.fetchNextPage();
while (result.hasNextPage) result = await observer.fetchNextPage();
unsubscribe();
const pages = result.data?.pages ?? [];

console.log(
  JSON.stringify({
    answered: many.length,
    allFound: many.every((post) => created.some((c) => c.id === post.id)),
    batchSizes: manyBatchSizes,
    pageSizes: pages.map((page) => page.items.length),
    titles: pages.flatMap((page) => page.items.map((post) => post.title)),
    error: result.error ? String(result.error) : null,
  }),
);
