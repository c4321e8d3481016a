import { useInkwell } from '@inkwell/client/react';
import { useMutation } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouter } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useMe } from '../session.js';

export function Layout() {
  const { me } = useMe();
  const inkwell = useInkwell();
  const navigate = useNavigate();
  const signOut = useMutation({
    ...inkwell.auth.logout.mutationOptions(),
    onSettled: () => navigate({ to: '/' }),
  });
  const main = useRef<HTMLElement>(null);
  const router = useRouter();
  // After a navigation inside the app, keyboard and screen-reader users continue at the new
  // page's content (not on the initial load: there the skip link comes first).
  useEffect(
    () =>
      router.subscribe('onResolved', (event) => {
        if (event.fromLocation && event.pathChanged) main.current?.focus();
      }),
    [router],
  );

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="site">
        <Link to="/" className="brand">
          Inkwell
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link to="/">Feed</Link>
            </li>
            {me ? (
              <>
                <li>
                  <Link to="/write">Write</Link>
                </li>
                <li>
                  <Link to="/users/$username" params={{ username: me.username }}>
                    Profile
                  </Link>
                </li>
                <li>
                  <Link to="/settings">Settings</Link>
                </li>
                {me.role === 'admin' ? (
                  <li>
                    <Link to="/admin">Moderation</Link>
                  </li>
                ) : null}
                <li>
                  <button type="button" className="link" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
                    Sign out
                  </button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <Link to="/sign-in" search={{}}>
                    Sign in
                  </Link>
                </li>
                <li>
                  <Link to="/sign-up">Sign up</Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
