import { type RouterOutputs, useInkwell } from '@inkwell/client/react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote.js';
import { Field, formText, TextAreaField } from '../components/Field.js';
import { Markdown } from '../components/Markdown.js';
import { editRoute } from '../router.js';
import { useMe } from '../session.js';

type Post = RouterOutputs['posts']['byId'];

/** "intro, TypeScript tips" -> ["intro", "typescript", "tips"]: commas or spaces separate tags. */
function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

function PostForm({ post }: { post?: Post }) {
  const inkwell = useInkwell();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [body, setBody] = useState(post?.body ?? '');
  const [preview, setPreview] = useState(false);
  const done = (saved: Post) => {
    void queryClient.invalidateQueries(inkwell.posts.list.pathFilter());
    queryClient.setQueryData(inkwell.posts.byId.queryKey({ id: saved.id }), saved);
    void navigate({ to: '/posts/$postId', params: { postId: saved.id } });
  };
  const create = useMutation({ ...inkwell.posts.create.mutationOptions(), onSuccess: done });
  const update = useMutation({ ...inkwell.posts.update.mutationOptions(), onSuccess: done });
  const mutation = post ? update : create;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = { title: formText(form, 'title'), body, tags: parseTags(formText(form, 'tags')) };
    if (post) update.mutate({ id: post.id, ...fields });
    else create.mutate(fields);
  };
  return (
    <form onSubmit={submit} noValidate className="editor">
      <Field label="Title" name="title" required maxLength={200} defaultValue={post?.title} error={mutation.error} />
      <fieldset className="tabs">
        <legend className="visually-hidden">Editor mode</legend>
        <button type="button" aria-pressed={!preview} onClick={() => setPreview(false)}>
          Write
        </button>
        <button type="button" aria-pressed={preview} onClick={() => setPreview(true)}>
          Preview
        </button>
      </fieldset>
      {preview ? (
        <section aria-label="Preview" className="preview">
          <Markdown source={body || '*Nothing to preview yet.*'} />
        </section>
      ) : (
        <TextAreaField
          label="Body"
          name="body"
          rows={14}
          required
          maxLength={50_000}
          value={body}
          onChange={(event) => setBody(event.target.value)}
          hint="Markdown: **bold**, _italic_, [links](https://example.com), lists, code."
          error={mutation.error}
        />
      )}
      <Field
        label="Tags"
        name="tags"
        defaultValue={post?.tags.join(', ')}
        hint="Up to 10, separated by commas: a-z, 0-9 and '-'."
        error={mutation.error}
      />
      <ErrorNote error={mutation.error} />
      <button type="submit" disabled={mutation.isPending}>
        {post ? 'Save changes' : 'Publish'}
      </button>
    </form>
  );
}

function NeedsSignIn() {
  return (
    <p>
      <Link to="/sign-in" search={{}}>
        Sign in
      </Link>{' '}
      to write.
    </p>
  );
}

export function WritePage() {
  const { me, pending } = useMe();
  return (
    <section>
      <h1>Write a post</h1>
      {me ? <PostForm /> : pending ? <p>Loading…</p> : <NeedsSignIn />}
    </section>
  );
}

export function EditPage() {
  const { postId } = editRoute.useParams();
  const inkwell = useInkwell();
  const { me, pending } = useMe();
  const post = useQuery(inkwell.posts.byId.queryOptions({ id: postId }));
  return (
    <section>
      <h1>Edit post</h1>
      {post.error ? <ErrorNote error={post.error} /> : null}
      {pending || post.isPending ? (
        <p>Loading…</p>
      ) : !me ? (
        <NeedsSignIn />
      ) : post.data && post.data.author.id !== me.id ? (
        <p>Only the author can edit this post.</p>
      ) : post.data ? (
        <PostForm post={post.data} />
      ) : null}
    </section>
  );
}
