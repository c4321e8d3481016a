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

/**
 * What each kind of write invalidates, in one place, so routers only name the event. Entries
 * that embed a user (post and comment authors) carry that user's tag, so a profile change needs
 * no list-wide bump.
 */
export const invalidationsFor = {
  postCreated: () => [cacheTags.postLists, cacheTags.postTags],
  /** Title, body and tags change what filtered lists (tag, q) hold. */
  postUpdated: (postId: string) => [cacheTags.post(postId), cacheTags.postLists, cacheTags.postTags],
  postDeleted: (postId: string) => [
    cacheTags.post(postId),
    cacheTags.postLists,
    cacheTags.postTags,
    cacheTags.postComments(postId),
  ],
  /** likeCount is shown in lists and orders sort=top. */
  postLikeChanged: (postId: string) => [cacheTags.post(postId), cacheTags.postLists],
  /** commentCount is shown on the post and in lists. */
  commentChanged: (postId: string) => [cacheTags.postComments(postId), cacheTags.post(postId), cacheTags.postLists],
  /** Display name, bio and role are public (profiles, users.list, embedded authors). */
  userChanged: (userId: string) => [cacheTags.user(userId), cacheTags.userLists],
  userRegistered: () => [cacheTags.userLists],
} as const;
