import { useInkwell } from '@inkwell/client/react';
import { skipToken, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ErrorNote } from '../components/ErrorNote.js';
import { formatDate, PostList } from '../components/PostList.js';
import { profileRoute } from '../router.js';

export function ProfilePage() {
  const { username } = profileRoute.useParams();
  const { tab } = profileRoute.useSearch();
  const inkwell = useInkwell();
  const profile = useQuery(inkwell.users.byUsername.queryOptions({ username }));
  const id = profile.data?.id;
  const next = { getNextPageParam: (page: { nextCursor: string | null }) => page.nextCursor };
  const posts = useInfiniteQuery(
    inkwell.users.posts.infiniteQueryOptions(id && tab !== 'liked' ? { id, limit: 20 } : skipToken, next),
  );
  const liked = useInfiniteQuery(
    inkwell.users.likedPosts.infiniteQueryOptions(id && tab === 'liked' ? { id, limit: 20 } : skipToken, next),
  );
  if (profile.error) return <ErrorNote error={profile.error} />;
  if (!profile.data) return <p aria-live="polite">Loading…</p>;
  const user = profile.data;
  return (
    <section>
      <h1>{user.displayName}</h1>
      <p className="meta">
        @{user.username}
        {user.role === 'admin' ? ' · moderator' : ''} · joined{' '}
        <time dateTime={user.createdAt}>{formatDate(user.createdAt)}</time>
      </p>
      {user.bio ? <p className="bio">{user.bio}</p> : null}
      <nav aria-label="Profile lists" className="tabs">
        <Link
          to="/users/$username"
          params={{ username }}
          search={{}}
          aria-current={tab !== 'liked' ? 'page' : undefined}
        >
          Posts
        </Link>
        <Link
          to="/users/$username"
          params={{ username }}
          search={{ tab: 'liked' }}
          aria-current={tab === 'liked' ? 'page' : undefined}
        >
          Liked posts
        </Link>
      </nav>
      {tab === 'liked' ? (
        <PostList query={liked} label="Liked posts" empty="No liked posts yet." />
      ) : (
        <PostList query={posts} label="Posts" empty="No posts yet." />
      )}
    </section>
  );
}
