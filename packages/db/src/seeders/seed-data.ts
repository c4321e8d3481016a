/** Dev credentials, documented in README.md (Quickstart). Every seeded user shares this password. */
export const SEED_PASSWORD = 'inkwell-dev-password';
export const SEED_ADMIN_EMAIL = 'admin@inkwell.dev';

export interface SeedUser {
  key: string;
  email: string;
  username: string;
  displayName: string;
  bio: string;
  role: 'user' | 'admin';
  verified: boolean;
}

export const seedUsers: SeedUser[] = [
  {
    key: 'admin',
    email: SEED_ADMIN_EMAIL,
    username: 'admin',
    displayName: 'Inkwell Admin',
    bio: 'Keeps the lights on and the spam out.',
    role: 'admin',
    verified: true,
  },
  {
    key: 'ada',
    email: 'ada@inkwell.dev',
    username: 'ada',
    displayName: 'Ada Okafor',
    bio: 'Backend engineer. Writes about databases, queues and the bugs between them.',
    role: 'user',
    verified: true,
  },
  {
    key: 'ben',
    email: 'ben@inkwell.dev',
    username: 'ben_writes',
    displayName: 'Ben Lindqvist',
    bio: 'Home cook, occasional essayist.',
    role: 'user',
    verified: true,
  },
  {
    key: 'chen',
    email: 'chen@inkwell.dev',
    username: 'chen',
    displayName: 'Chen Wei',
    bio: 'TypeScript all the way down.',
    role: 'user',
    verified: true,
  },
  {
    key: 'dana',
    email: 'dana@inkwell.dev',
    username: 'dana',
    displayName: 'Dana Novak',
    bio: 'Just signed up; has not clicked the verification link yet.',
    role: 'user',
    verified: false,
  },
];

export interface SeedPost {
  key: string;
  author: string;
  title: string;
  body: string;
  tags: string[];
  likedBy: string[];
}

export const seedPosts: SeedPost[] = [
  {
    key: 'keyset',
    author: 'ada',
    title: 'Keyset pagination, or why OFFSET 100000 hurts',
    body: 'OFFSET makes PostgreSQL walk and discard every skipped row. A keyset cursor — the last\n`(created_at, id)` you saw — turns page 1,000 into an index seek.\n\n```sql\nselect * from posts\nwhere (created_at, id) < ($1, $2)\norder by created_at desc, id desc\nlimit 20;\n```',
    tags: ['postgresql', 'performance'],
    likedBy: ['ben', 'chen', 'admin'],
  },
  {
    key: 'outbox',
    author: 'ada',
    title: 'The transactional outbox in one page',
    body: 'Write the event in the same transaction as the change, relay it afterwards. A crash between\nthe commit and the send loses nothing: the row is still there.',
    tags: ['architecture', 'queues', 'postgresql'],
    likedBy: ['chen'],
  },
  {
    key: 'sourdough',
    author: 'ben',
    title: 'Sourdough on a weeknight schedule',
    body: 'Mix at 7 pm, fold twice before bed, shape at 7 am, bake after work. The fridge does the\nwaiting for you.',
    tags: ['cooking', 'bread'],
    likedBy: ['ada', 'dana', 'chen'],
  },
  {
    key: 'pasta',
    author: 'ben',
    title: 'Cacio e pepe without the clumps',
    body: 'Grate the pecorino finely, let the pasta water cool a little, and emulsify off the heat.',
    tags: ['cooking'],
    likedBy: ['ada'],
  },
  {
    key: 'types',
    author: 'chen',
    title: 'End-to-end types without code generation',
    body: 'Infer the router type on the server, import it as a type on the client, and let the\ncompiler check every call. No schema files to regenerate.',
    tags: ['typescript', 'architecture'],
    likedBy: ['ada', 'ben'],
  },
  {
    key: 'zod',
    author: 'chen',
    title: 'Validate at the edges, trust the middle',
    body: 'Parse, do not validate: once input has passed the schema, the type says what it is.',
    tags: ['typescript'],
    likedBy: [],
  },
  {
    key: 'welcome',
    author: 'admin',
    title: 'Welcome to Inkwell',
    body: 'Write in markdown, tag your posts, and reply to anyone. Be kind; moderators are watching.',
    tags: ['meta'],
    likedBy: ['ada', 'ben', 'chen'],
  },
];

export interface SeedComment {
  key: string;
  post: string;
  author: string;
  parent?: string;
  body: string;
}

/** A nested thread on `keyset` (depth 4) and a short one on `sourdough`. */
export const seedComments: SeedComment[] = [
  { key: 'c1', post: 'keyset', author: 'chen', body: 'What about sorting by a non-unique column like likes?' },
  {
    key: 'c2',
    post: 'keyset',
    author: 'ada',
    parent: 'c1',
    body: 'Add the id as a tie-breaker: (like_count, created_at, id) is unique.',
  },
  { key: 'c3', post: 'keyset', author: 'chen', parent: 'c2', body: 'And the index has to match that order?' },
  {
    key: 'c4',
    post: 'keyset',
    author: 'ada',
    parent: 'c3',
    body: 'Yes, or PostgreSQL sorts the whole table again.',
  },
  { key: 'c5', post: 'keyset', author: 'ben', parent: 'c1', body: 'Bookmarking this for later.' },
  { key: 'c6', post: 'keyset', author: 'admin', body: 'Pinned in the weekly digest.' },
  { key: 'c7', post: 'sourdough', author: 'dana', body: 'How warm is your kitchen?' },
  { key: 'c8', post: 'sourdough', author: 'ben', parent: 'c7', body: 'About 21 °C; longer rise if colder.' },
];
