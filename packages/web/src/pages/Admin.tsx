import { type RouterOutputs, useInkwell } from '@inkwell/client/react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote.js';
import { useMe } from '../session.js';

type User = RouterOutputs['users']['list']['items'][number];

/** Users per page of the moderation list; each row asks for its user's latest posts. */
export const MODERATION_PAGE_SIZE = 25;

function LatestPosts({ user }: { user: User }) {
  const inkwell = useInkwell();
  const queryClient = useQueryClient();
  const posts = useQuery(inkwell.users.posts.queryOptions({ id: user.id, limit: 3 }));
  const remove = useMutation({
    ...inkwell.posts.delete.mutationOptions(),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries(inkwell.users.posts.pathFilter()),
        queryClient.invalidateQueries(inkwell.posts.list.pathFilter()),
      ]),
  });
  if (posts.isPending) return <p className="meta">Loading posts…</p>;
  if (posts.error) return <ErrorNote error={posts.error} />;
  if (posts.data.items.length === 0) return <p className="meta">No posts.</p>;
  return (
    <ul className="latest" aria-label={`Latest posts of ${user.displayName}`}>
      {posts.data.items.map((post) => (
        <li key={post.id}>
          <Link to="/posts/$postId" params={{ postId: post.id }}>
            {post.title}
          </Link>{' '}
          <button
            type="button"
            className="link danger"
            aria-label={`Delete post “${post.title}”`}
            onClick={() => {
              if (window.confirm(`Delete “${post.title}”?`)) remove.mutate({ id: post.id });
            }}
          >
            Delete
          </button>
        </li>
      ))}
      {remove.error ? <ErrorNote error={remove.error} /> : null}
    </ul>
  );
}

function UserRow({ user, selfId }: { user: User; selfId: string }) {
  const inkwell = useInkwell();
  const queryClient = useQueryClient();
  const roleId = useId();
  const [state, setState] = useState<{ role: User['role']; disabled: boolean | null }>({
    role: user.role,
    disabled: null,
  });
  const onModerated = (result: { role: User['role']; disabled: boolean }) => {
    setState({ role: result.role, disabled: result.disabled });
    void queryClient.invalidateQueries(inkwell.users.list.pathFilter());
  };
  const setRole = useMutation({ ...inkwell.users.setRole.mutationOptions(), onSuccess: onModerated });
  const setDisabled = useMutation({ ...inkwell.users.setDisabled.mutationOptions(), onSuccess: onModerated });
  const self = user.id === selfId;
  return (
    <li className="user-row">
      <div>
        <Link to="/users/$username" params={{ username: user.username }}>
          {user.displayName}
        </Link>{' '}
        <span className="meta">@{user.username}</span>
        {state.disabled ? <span className="badge">disabled</span> : null}
      </div>
      <div className="field inline">
        <label htmlFor={roleId}>Role</label>
        <select
          id={roleId}
          value={state.role}
          disabled={self || setRole.isPending}
          onChange={(event) => setRole.mutate({ id: user.id, role: event.target.value === 'admin' ? 'admin' : 'user' })}
        >
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
      </div>
      {self ? null : (
        <button
          type="button"
          className={state.disabled ? 'secondary' : 'danger'}
          disabled={setDisabled.isPending}
          onClick={() => setDisabled.mutate({ id: user.id, disabled: !state.disabled })}
        >
          {state.disabled ? `Enable ${user.username}` : `Disable ${user.username}`}
        </button>
      )}
      <ErrorNote error={setRole.error ?? setDisabled.error} />
      <LatestPosts user={user} />
    </li>
  );
}

export function AdminPage() {
  const { me, pending } = useMe();
  const inkwell = useInkwell();
  const users = useInfiniteQuery({
    ...inkwell.users.list.infiniteQueryOptions(
      { limit: MODERATION_PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor },
    ),
    enabled: me?.role === 'admin',
  });
  if (pending) return <p aria-live="polite">Loading…</p>;
  if (me?.role !== 'admin') return <p>Moderation is for admins.</p>;
  const list = users.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section>
      <h1>Moderation</h1>
      <p>
        Change roles, disable accounts (which ends their sessions) and delete any post; comments are deleted from their
        post's page.
      </p>
      <ErrorNote error={users.error} />
      <ul className="users" aria-label="Users">
        {list.map((user) => (
          <UserRow key={user.id} user={user} selfId={me.id} />
        ))}
      </ul>
      {users.hasNextPage ? (
        <button type="button" onClick={() => void users.fetchNextPage()} disabled={users.isFetchingNextPage}>
          More users
        </button>
      ) : null}
    </section>
  );
}
