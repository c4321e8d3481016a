import { useInkwell } from '@inkwell/client/react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import type { FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.js';
import { Field, formText, TextAreaField } from '../components/Field.js';
import { formatDate } from '../components/PostList.js';
import { type Me, useMe } from '../session.js';

function ProfileForm({ me }: { me: Me }) {
  const inkwell = useInkwell();
  const queryClient = useQueryClient();
  const save = useMutation({
    ...inkwell.users.updateProfile.mutationOptions(),
    onSuccess: () => queryClient.invalidateQueries(inkwell.auth.me.queryFilter()),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ displayName: formText(form, 'displayName'), bio: formText(form, 'bio') });
  };
  return (
    <form onSubmit={submit} aria-labelledby="profile-heading" noValidate>
      <h2 id="profile-heading">Profile</h2>
      <Field
        label="Display name"
        name="displayName"
        required
        maxLength={64}
        defaultValue={me.displayName}
        error={save.error}
      />
      <TextAreaField label="Bio" name="bio" rows={4} maxLength={1_000} defaultValue={me.bio} error={save.error} />
      <ErrorNote error={save.error} />
      {save.isSuccess ? <p role="status">Profile saved.</p> : null}
      <button type="submit" disabled={save.isPending}>
        Save profile
      </button>
    </form>
  );
}

function PasswordForm() {
  const inkwell = useInkwell();
  const change = useMutation(inkwell.auth.changePassword.mutationOptions());
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    change.mutate(
      { currentPassword: formText(form, 'currentPassword'), newPassword: formText(form, 'newPassword') },
      { onSuccess: () => formElement.reset() },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="password-heading" noValidate>
      <h2 id="password-heading">Change password</h2>
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        error={change.error}
      />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters. Your other sessions are signed out."
        error={change.error}
      />
      <ErrorNote error={change.error} />
      {change.isSuccess ? <p role="status">Password changed; your other sessions were signed out.</p> : null}
      <button type="submit" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}

function Sessions() {
  const inkwell = useInkwell();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useQuery(inkwell.auth.sessions.queryOptions({ limit: 50 }));
  const revoke = useMutation({
    ...inkwell.auth.revokeSession.mutationOptions(),
    onSuccess: () => queryClient.invalidateQueries(inkwell.auth.sessions.queryFilter()),
  });
  const everywhere = useMutation({
    ...inkwell.auth.logoutAll.mutationOptions(),
    onSettled: () => navigate({ to: '/sign-in', search: {} }),
  });
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <ErrorNote error={sessions.error ?? revoke.error ?? everywhere.error} />
      <ul className="sessions">
        {sessions.data?.items.map((session) => (
          <li key={session.id}>
            <span>
              {session.userAgent ?? 'Unknown device'}
              {session.ip ? ` · ${session.ip}` : ''} · last used{' '}
              <time dateTime={session.lastUsedAt}>{formatDate(session.lastUsedAt)}</time>
              {session.current ? ' · this browser' : ''}
            </span>
            {session.current ? null : (
              <button type="button" className="secondary" onClick={() => revoke.mutate({ id: session.id })}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" className="danger" onClick={() => everywhere.mutate()} disabled={everywhere.isPending}>
        Sign out everywhere
      </button>
    </section>
  );
}

export function SettingsPage() {
  const { me, pending } = useMe();
  if (pending) return <p aria-live="polite">Loading…</p>;
  if (!me) {
    return (
      <p>
        <Link to="/sign-in" search={{}}>
          Sign in
        </Link>{' '}
        to change your settings.
      </p>
    );
  }
  return (
    <section className="narrow">
      <h1>Settings</h1>
      <p className="meta">Signed in as {me.email}</p>
      <ProfileForm me={me} />
      <PasswordForm />
      <Sessions />
    </section>
  );
}
