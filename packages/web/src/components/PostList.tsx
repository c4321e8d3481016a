import type { RouterOutputs } from '@inkwell/client/react';
import { Link } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { ErrorNote } from './ErrorNote.js';

export type Post = RouterOutputs['posts']['byId'];
type Page = RouterOutputs['posts']['list'];

/** What an infinite list query gives the list (TanStack Query's `useInfiniteQuery` result). */
export interface PostPages {
  data: { pages: Page[] } | undefined;
  error: unknown;
  isPending: boolean;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** Markdown reduced to readable text for a teaser (the post page renders the real thing). */
export function excerpt(markdown: string, length = 220): string {
  const plain = markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[#>*_`~-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > length ? `${plain.slice(0, length).trimEnd()}…` : plain;
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A post's tags, each linking to the feed filtered by it. */
export function TagList({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          <Link to="/" search={{ tag }}>
            #{tag}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function PostCard({ post }: { post: Post }) {
  return (
    <article className="card" aria-labelledby={`post-${post.id}`}>
      <h2 id={`post-${post.id}`}>
        <Link to="/posts/$postId" params={{ postId: post.id }}>
          {post.title}
        </Link>
      </h2>
      <p className="meta">
        <Link to="/users/$username" params={{ username: post.author.username }}>
          {post.author.displayName}
        </Link>{' '}
        · <time dateTime={post.createdAt}>{formatDate(post.createdAt)}</time> · {post.likeCount}{' '}
        {post.likeCount === 1 ? 'like' : 'likes'} · {post.commentCount}{' '}
        {post.commentCount === 1 ? 'comment' : 'comments'}
      </p>
      <p>{excerpt(post.body)}</p>
      <TagList tags={post.tags} />
    </article>
  );
}

/**
 * Posts of an infinite query: the next page loads when the end of the list scrolls into view,
 * or with the button (keyboard users, and browsers without IntersectionObserver).
 */
export function PostList({ query, empty, label }: { query: PostPages; empty: string; label: string }) {
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (query.isPending) return <p aria-live="polite">Loading posts…</p>;
  if (query.error && !query.data) return <ErrorNote error={query.error} />;
  const posts = query.data?.pages.flatMap((page) => page.items) ?? [];
  if (posts.length === 0) return <p>{empty}</p>;
  return (
    <>
      <ul className="posts" aria-label={label}>
        {posts.map((post) => (
          <li key={post.id}>
            <PostCard post={post} />
          </li>
        ))}
      </ul>
      <div ref={sentinel} className="sentinel" />
      {query.error ? <ErrorNote error={query.error} /> : null}
      {hasNextPage ? (
        <button type="button" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? 'Loading more…' : 'Load more posts'}
        </button>
      ) : (
        <p className="end">That is all.</p>
      )}
    </>
  );
}
