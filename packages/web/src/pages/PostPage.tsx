import { type RouterOutputs, useInkwell, useInkwellClient } from '@inkwell/client/react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote.js';
import { formText, TextAreaField } from '../components/Field.js';
import { Markdown } from '../components/Markdown.js';
import { formatDate, TagList } from '../components/PostList.js';
import { postRoute } from '../router.js';
import { type Me, mayModerate, useMe } from '../session.js';

type Post = RouterOutputs['posts']['byId'];
type Comment = RouterOutputs['posts']['comments']['list']['items'][number];

/** Like/unlike shown at once; the answer (or, on failure, the previous state) replaces the guess. */
function LikeButton({ post, me }: { post: Post; me: Me | undefined }) {
  const inkwell = useInkwell();
  const client = useInkwellClient();
  const queryClient = useQueryClient();
  const key = inkwell.posts.byId.queryKey({ id: post.id });
  const toggle = useMutation({
    mutationFn: (liked: boolean) =>
      liked ? client.posts.unlike.mutate({ id: post.id }) : client.posts.like.mutate({ id: post.id }),
    onMutate: async (liked) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      queryClient.setQueryData(key, (old) =>
        old ? { ...old, likedByMe: !liked, likeCount: Math.max(0, old.likeCount + (liked ? -1 : 1)) } : old,
      );
      return { previous };
    },
    onError: (_error, _liked, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSuccess: (state) =>
      queryClient.setQueryData(key, (old) =>
        old ? { ...old, likedByMe: state.likedByMe, likeCount: state.likeCount } : old,
      ),
    onSettled: () => queryClient.invalidateQueries(inkwell.posts.list.pathFilter()),
  });
  const label = `${post.likeCount} ${post.likeCount === 1 ? 'like' : 'likes'}`;
  if (!me) {
    return (
      <p className="likes">
        {label} ·{' '}
        <Link to="/sign-in" search={{}}>
          Sign in to like
        </Link>
      </p>
    );
  }
  return (
    <div className="likes">
      <button type="button" aria-pressed={post.likedByMe} onClick={() => toggle.mutate(post.likedByMe)}>
        {post.likedByMe ? 'Unlike' : 'Like'}
      </button>{' '}
      <span aria-live="polite">{label}</span>
      {toggle.error ? <ErrorNote error={toggle.error} /> : null}
    </div>
  );
}

interface Node {
  comment: Comment;
  replies: Node[];
}

/** The thread as a tree: rows come parents first, so every parent is known before its replies. */
function buildTree(items: readonly Comment[]): Node[] {
  const roots: Node[] = [];
  const byId = new Map<string, Node>();
  for (const comment of items) {
    const node: Node = { comment, replies: [] };
    byId.set(comment.id, node);
    const parent = comment.parentId ? byId.get(comment.parentId) : undefined;
    (parent ? parent.replies : roots).push(node);
  }
  return roots;
}

function useThreadMutations(postId: string) {
  const inkwell = useInkwell();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries(inkwell.posts.comments.list.pathFilter()),
      queryClient.invalidateQueries(inkwell.posts.byId.queryFilter({ id: postId })),
    ]);
  return {
    create: useMutation({ ...inkwell.posts.comments.create.mutationOptions(), onSuccess: refresh }),
    update: useMutation({ ...inkwell.posts.comments.update.mutationOptions(), onSuccess: refresh }),
    remove: useMutation({ ...inkwell.posts.comments.delete.mutationOptions(), onSuccess: refresh }),
  };
}

function CommentForm({
  postId,
  parentId,
  initial,
  label,
  onDone,
}: {
  postId: string;
  parentId?: string;
  initial?: { id: string; body: string };
  label: string;
  onDone?: () => void;
}) {
  const { create, update } = useThreadMutations(postId);
  const mutation = initial ? update : create;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const body = formText(new FormData(formElement), 'body');
    const done = () => {
      formElement.reset();
      onDone?.();
    };
    if (initial) update.mutate({ id: initial.id, body }, { onSuccess: done });
    else create.mutate({ postId, parentId, body }, { onSuccess: done });
  };
  return (
    <form onSubmit={submit} className="comment-form">
      <TextAreaField
        label={label}
        name="body"
        rows={3}
        required
        maxLength={10_000}
        defaultValue={initial?.body}
        error={mutation.error}
      />
      <ErrorNote error={mutation.error} />
      <button type="submit" disabled={mutation.isPending}>
        {initial ? 'Save' : parentId ? 'Reply' : 'Comment'}
      </button>
      {onDone ? (
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}

function CommentItem({ node, postId, me }: { node: Node; postId: string; me: Me | undefined }) {
  const { comment } = node;
  const [mode, setMode] = useState<'read' | 'reply' | 'edit'>('read');
  const { remove } = useThreadMutations(postId);
  const author = comment.author;
  return (
    <li>
      <article
        className={comment.deleted ? 'comment tombstone' : 'comment'}
        aria-label={author ? `Comment by ${author.displayName}` : 'Deleted comment'}
      >
        {comment.deleted || !author ? (
          <p className="meta">This comment was deleted.</p>
        ) : (
          <>
            <p className="meta">
              <Link to="/users/$username" params={{ username: author.username }}>
                {author.displayName}
              </Link>{' '}
              · <time dateTime={comment.createdAt}>{formatDate(comment.createdAt)}</time>
              {comment.updatedAt !== comment.createdAt ? ' · edited' : ''}
            </p>
            {mode === 'edit' ? (
              <CommentForm
                postId={postId}
                initial={{ id: comment.id, body: comment.body ?? '' }}
                label="Edit your comment"
                onDone={() => setMode('read')}
              />
            ) : (
              <p className="comment-body">{comment.body}</p>
            )}
            {me && mode === 'read' ? (
              <div className="actions">
                <button type="button" className="link" onClick={() => setMode('reply')}>
                  Reply
                </button>
                {me.id === author.id ? (
                  <button type="button" className="link" onClick={() => setMode('edit')}>
                    Edit
                  </button>
                ) : null}
                {mayModerate(me, author.id) ? (
                  <button
                    type="button"
                    className="link danger"
                    disabled={remove.isPending}
                    onClick={() => {
                      if (window.confirm('Delete this comment?')) remove.mutate({ id: comment.id });
                    }}
                  >
                    Delete
                  </button>
                ) : null}
              </div>
            ) : null}
            <ErrorNote error={remove.error} />
          </>
        )}
      </article>
      {mode === 'reply' ? (
        <CommentForm
          postId={postId}
          parentId={comment.id}
          label={`Reply to ${author?.displayName ?? 'comment'}`}
          onDone={() => setMode('read')}
        />
      ) : null}
      {node.replies.length > 0 ? (
        <ul className="replies">
          {node.replies.map((reply) => (
            <CommentItem key={reply.comment.id} node={reply} postId={postId} me={me} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Thread({ postId, me }: { postId: string; me: Me | undefined }) {
  const inkwell = useInkwell();
  const thread = useQuery(inkwell.posts.comments.list.queryOptions({ postId, scope: 'all' }));
  const tree = thread.data ? buildTree(thread.data.items) : [];
  return (
    <section aria-labelledby="comments-heading" className="thread">
      <h2 id="comments-heading">Comments</h2>
      {me ? (
        <CommentForm postId={postId} label="Write a comment" />
      ) : (
        <p>
          <Link to="/sign-in" search={{}}>
            Sign in
          </Link>{' '}
          to comment.
        </p>
      )}
      {thread.isPending ? <p>Loading comments…</p> : null}
      <ErrorNote error={thread.error} />
      {thread.data && tree.length === 0 ? <p>No comments yet.</p> : null}
      <ul className="comments">
        {tree.map((node) => (
          <CommentItem key={node.comment.id} node={node} postId={postId} me={me} />
        ))}
      </ul>
    </section>
  );
}

export function PostPage() {
  const { postId } = postRoute.useParams();
  const inkwell = useInkwell();
  const { me } = useMe();
  const navigate = useNavigate();
  const post = useQuery(inkwell.posts.byId.queryOptions({ id: postId }));
  const remove = useMutation({
    ...inkwell.posts.delete.mutationOptions(),
    onSuccess: () => navigate({ to: '/' }),
  });
  if (post.isPending) return <p aria-live="polite">Loading…</p>;
  if (post.error) return <ErrorNote error={post.error} />;
  const data = post.data;
  return (
    <>
      <article className="post">
        <h1>{data.title}</h1>
        <p className="meta">
          <Link to="/users/$username" params={{ username: data.author.username }}>
            {data.author.displayName}
          </Link>{' '}
          · <time dateTime={data.createdAt}>{formatDate(data.createdAt)}</time>
          {data.updatedAt !== data.createdAt ? ' · edited' : ''}
        </p>
        <TagList tags={data.tags} />
        <Markdown source={data.body} />
        <LikeButton post={data} me={me} />
        {mayModerate(me, data.author.id) ? (
          <div className="actions">
            {me?.id === data.author.id ? (
              <Link to="/posts/$postId/edit" params={{ postId: data.id }}>
                Edit post
              </Link>
            ) : null}
            <button
              type="button"
              className="link danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm('Delete this post and its comments?')) remove.mutate({ id: data.id });
              }}
            >
              Delete post
            </button>
            <ErrorNote error={remove.error} />
          </div>
        ) : null}
      </article>
      <Thread postId={data.id} me={me} />
    </>
  );
}
