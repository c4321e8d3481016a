import { cacheTags } from '../../cache/tags.js';
import type { Viewer } from '../../context.js';
import type { Page } from '../../lists.js';
import type { ProcedureContext } from '../../middleware/cache.js';
import type { CommentDto } from './comments.schema.js';
import type { PostDto } from './posts.schema.js';
import { personalizePage, resolveLikedByMe, withLikedByMe } from './posts.service.js';

/*
 * What the cached reads of posts and comments depend on (cache tags), and the viewer-specific
 * part that is added outside the shared entry (likedByMe: one query per request).
 */

const authorTags = (authors: readonly ({ id: string } | null)[]) => [
  ...new Set(authors.flatMap((author) => (author ? [cacheTags.user(author.id)] : []))),
];

export function postTags(post: PostDto): string[] {
  return [cacheTags.post(post.id), cacheTags.user(post.author.id)];
}

/** A list's membership and order, plus the authors it shows. */
export function postPageTags(page: Page<PostDto>): string[] {
  return [cacheTags.postLists, ...authorTags(page.items.map((post) => post.author))];
}

/** The threads the comments belong to, plus their authors. */
export function commentTags(comments: readonly CommentDto[]): string[] {
  return [
    ...new Set(comments.map((comment) => cacheTags.postComments(comment.postId))),
    ...authorTags(comments.map((comment) => comment.author)),
  ];
}

interface Personalize<T> {
  ctx: ProcedureContext;
  viewer: Viewer;
  output: T;
}

export function personalizePostPage({ ctx, viewer, output }: Personalize<Page<PostDto>>): Promise<Page<PostDto>> {
  return personalizePage(ctx.em, viewer.userId, output);
}

export async function personalizePost({ ctx, viewer, output }: Personalize<PostDto>): Promise<PostDto> {
  const [post] = withLikedByMe([output], await resolveLikedByMe(ctx.em, viewer.userId, [output.id]));
  return post ?? output;
}
