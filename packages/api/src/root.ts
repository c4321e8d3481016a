import { authRouter } from './modules/auth/auth.router.js';
import { postsRouter } from './modules/posts/posts.router.js';
import { usersRouter } from './modules/users/users.router.js';
import { createCallerFactory, router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  posts: postsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
