/**
 * The cache's tag vocabulary. A cached entry names the tags it depends on; a write bumps the
 * tags whose data it changed (see `invalidationsFor`), which makes those entries misses on
 * every api instance.
 */
export const cacheTags = {
  /** One post's own fields, counts (likes, comments) and existence. */
  post: (postId: string) => `post:${postId}`,
  /** Which posts every post list holds and their order (users.posts included). */
  postLists: 'posts:list',
  /** The tag directory (posts.tags). */
  postTags: 'posts:tags',
  /** One user's public profile, wherever it is shown (profile pages, embedded authors). */
  user: (userId: string) => `user:${userId}`,
  /** Which users users.list holds and their order. */
  userLists: 'users:list',
  /** A post's comments: threads, bodies, tombstones. */
  postComments: (postId: string) => `comments:post:${postId}`,
} as const;

/** Every entry depends on it: bumping it empties the cache logically (used when Redis owed us too much). */
export const ALL_ENTRIES_TAG = 'all';

/** What each kind of write invalidates, in one place, so routers only name the event. */
export const invalidationsFor = {
  postCreated: (post: { authorId: string }) => [cacheTags.postLists, cacheTags.postTags, cacheTags.user(post.authorId)],
  postUpdated: (postId: string) => [cacheTags.post(postId), cacheTags.postLists, cacheTags.postTags],
  postDeleted: (post: { postId: string; authorId: string }) => [
    cacheTags.post(post.postId),
    cacheTags.postLists,
    cacheTags.postTags,
    cacheTags.postComments(post.postId),
    cacheTags.user(post.authorId),
  ],
  /** likeCount is shown in lists and orders sort=top. */
  postLikeChanged: (postId: string) => [cacheTags.post(postId), cacheTags.postLists],
  /** commentCount is shown on the post and in lists. */
  commentChanged: (postId: string) => [cacheTags.postComments(postId), cacheTags.post(postId), cacheTags.postLists],
  profileChanged: (userId: string) => [cacheTags.user(userId), cacheTags.userLists],
  /** Role and disabled state can hide a user's profile, posts and comments everywhere. */
  userAccessChanged: (userId: string) => [cacheTags.user(userId), cacheTags.userLists, cacheTags.postLists],
  userRegistered: () => [cacheTags.userLists],
} as const;
