import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { Layout } from './components/Layout.js';
import { ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage, VerifyEmailPage } from './pages/Auth.js';
import { HomePage } from './pages/Home.js';
import { NotFoundPage } from './pages/NotFound.js';

type Search = Record<string, unknown>;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFoundPage });

export const homeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  validateSearch: (search: Search): { sort?: 'new' | 'top'; tag?: string; q?: string } => ({
    sort: search.sort === 'top' ? 'top' : undefined,
    tag: text(search.tag)?.toLowerCase(),
    q: text(search.q),
  }),
  component: HomePage,
});

// Pages that render markdown load the renderer and sanitizer with them, not on the first page.
export const postRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/posts/$postId',
  component: lazyRouteComponent(() => import('./pages/PostPage.js'), 'PostPage'),
});
export const editRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/posts/$postId/edit',
  component: lazyRouteComponent(() => import('./pages/Write.js'), 'EditPage'),
});
export const writeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/write',
  component: lazyRouteComponent(() => import('./pages/Write.js'), 'WritePage'),
});
export const profileRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/users/$username',
  validateSearch: (search: Search): { tab?: 'liked' } => ({ tab: search.tab === 'liked' ? 'liked' : undefined }),
  component: lazyRouteComponent(() => import('./pages/Profile.js'), 'ProfilePage'),
});
export const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/settings',
  component: lazyRouteComponent(() => import('./pages/Settings.js'), 'SettingsPage'),
});
export const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  component: lazyRouteComponent(() => import('./pages/Admin.js'), 'AdminPage'),
});

const tokenSearch = (search: Search): { token?: string } => ({ token: text(search.token) });
const emailSearch = (search: Search): { email?: string } => ({ email: text(search.email) });

export const signUpRoute = createRoute({ getParentRoute: () => rootRoute, path: '/sign-up', component: SignUpPage });
export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: emailSearch,
  component: SignInPage,
});
/** The pages the mails link to (packages/worker/src/mail/templates.ts). */
export const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/verify-email',
  validateSearch: tokenSearch,
  component: VerifyEmailPage,
});
export const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/forgot-password',
  validateSearch: emailSearch,
  component: ForgotPasswordPage,
});
export const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reset-password',
  validateSearch: tokenSearch,
  component: ResetPasswordPage,
});

export const router = createRouter({
  routeTree: rootRoute.addChildren([
    homeRoute,
    postRoute,
    editRoute,
    writeRoute,
    profileRoute,
    settingsRoute,
    adminRoute,
    signUpRoute,
    signInRoute,
    verifyEmailRoute,
    forgotPasswordRoute,
    resetPasswordRoute,
  ]),
  defaultPreload: 'intent',
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
