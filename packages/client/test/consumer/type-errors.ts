// Never run: each `@ts-expect-error` must be needed (tsc fails on an unused one), so the packed
// types must reject a wrong input, a misspelled procedure and a wrong output field.
import { createInkwellClient, type RouterInputs, type RouterOutputs } from '@inkwell/client';

export async function neverCalled(): Promise<void> {
  const client = createInkwellClient({ url: 'http://127.0.0.1:9/trpc' });

  // @ts-expect-error title is a string
  await client.posts.create.mutate({ title: 42, body: 'text' });

  // @ts-expect-error the procedure is `posts.byId`
  await client.posts.byID.query({ id: 'x' });

  const post: RouterOutputs['posts']['byId'] = await client.posts.byId.query({ id: 'x' });
  // @ts-expect-error posts have a title, not a headline
  console.log(post.headline);

  // @ts-expect-error login needs a password
  const login: RouterInputs['auth']['login'] = { email: 'someone@example.com' };
  console.log(login);
}
