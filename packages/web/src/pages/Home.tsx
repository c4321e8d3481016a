import { useInkwell } from '@inkwell/client/react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useId } from 'react';
import { formText } from '../components/Field.js';
import { PostList } from '../components/PostList.js';
import { homeRoute } from '../router.js';

export const FEED_PAGE_SIZE = 20;

export function HomePage() {
  const { sort, tag, q } = homeRoute.useSearch();
  const navigate = useNavigate({ from: '/' });
  const inkwell = useInkwell();
  const feed = useInfiniteQuery(
    inkwell.posts.list.infiniteQueryOptions(
      { sort: sort ?? 'new', tag, q, limit: FEED_PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const tags = useQuery(inkwell.posts.tags.queryOptions({ limit: 12 }));
  const searchId = useId();
  const sortId = useId();

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = formText(form, 'q').trim();
    void navigate({ search: (prev) => ({ ...prev, q: next || undefined }) });
  };

  const heading = q ? `Posts matching “${q}”` : tag ? `Posts tagged #${tag}` : 'Latest posts';
  return (
    <section>
      <h1>{heading}</h1>
      <search>
        <form className="toolbar" onSubmit={search}>
          <div className="field inline">
            <label htmlFor={searchId}>Search posts</label>
            <input id={searchId} name="q" type="search" defaultValue={q ?? ''} key={q ?? ''} maxLength={200} />
          </div>
          <button type="submit">Search</button>
          <div className="field inline">
            <label htmlFor={sortId}>Sort</label>
            <select
              id={sortId}
              value={sort ?? 'new'}
              onChange={(event) =>
                void navigate({
                  search: (prev) => ({ ...prev, sort: event.target.value === 'top' ? 'top' : undefined }),
                })
              }
            >
              <option value="new">Newest</option>
              <option value="top">Most liked</option>
            </select>
          </div>
        </form>
      </search>
      {tags.data && tags.data.items.length > 0 ? (
        <nav aria-label="Tags" className="tag-filter">
          <ul className="tags">
            {tag ? (
              <li>
                <Link to="/" search={(prev) => ({ ...prev, tag: undefined })}>
                  All tags
                </Link>
              </li>
            ) : null}
            {tags.data.items.map((item) => (
              <li key={item.name}>
                <Link
                  to="/"
                  search={(prev) => ({ ...prev, tag: item.name })}
                  aria-current={item.name === tag ? 'page' : undefined}
                >
                  #{item.name} ({item.postCount})
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <PostList query={feed} label="Posts" empty={q || tag ? 'No posts match.' : 'No posts yet.'} />
    </section>
  );
}
