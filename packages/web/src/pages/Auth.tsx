import { isInkwellError, useInkwell } from '@inkwell/client/react';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote.js';
import { Field, formText } from '../components/Field.js';
import { forgotPasswordRoute, resetPasswordRoute, signInRoute, verifyEmailRoute } from '../router.js';

const PASSWORD_HINT = 'At least 12 characters; not one of the common ones.';

function Accepted({ message }: { message: string }) {
  return (
    <div className="note ok" role="status">
      <p>{message}</p>
    </div>
  );
}

/** Asks for a new verification mail (after EMAIL_NOT_VERIFIED or an expired link). */
function ResendVerification({ email }: { email?: string | undefined }) {
  const inkwell = useInkwell();
  const resend = useMutation(inkwell.auth.resendVerification.mutationOptions());
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    resend.mutate({ email: formText(new FormData(event.currentTarget), 'email') });
  };
  if (resend.data) return <Accepted message={resend.data.message} />;
  return (
    <form onSubmit={submit} aria-label="Send a new verification link">
      <Field
        label="Email for a new link"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={email}
        error={resend.error}
      />
      <ErrorNote error={resend.error} />
      <button type="submit" disabled={resend.isPending}>
        Send a new verification link
      </button>
    </form>
  );
}

export function SignUpPage() {
  const inkwell = useInkwell();
  const register = useMutation(inkwell.auth.register.mutationOptions());
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    register.mutate({
      email: formText(form, 'email'),
      username: formText(form, 'username'),
      displayName: formText(form, 'displayName'),
      password: formText(form, 'password'),
    });
  };
  return (
    <section className="narrow">
      <h1>Create your account</h1>
      {register.data ? (
        <Accepted message={register.data.message} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Email" name="email" type="email" autoComplete="email" required error={register.error} />
          <Field
            label="Username"
            name="username"
            autoComplete="username"
            required
            hint='3 to 32 letters, digits or "_"; it appears in your profile address.'
            error={register.error}
          />
          <Field label="Display name" name="displayName" autoComplete="name" required error={register.error} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            hint={PASSWORD_HINT}
            error={register.error}
          />
          <ErrorNote error={register.error} />
          <button type="submit" disabled={register.isPending}>
            Sign up
          </button>
        </form>
      )}
      <p>
        Already have an account?{' '}
        <Link to="/sign-in" search={{}}>
          Sign in
        </Link>
      </p>
    </section>
  );
}

export function SignInPage() {
  const { email } = signInRoute.useSearch();
  const inkwell = useInkwell();
  const navigate = useNavigate();
  const [typedEmail, setTypedEmail] = useState(email ?? '');
  const login = useMutation({
    ...inkwell.auth.login.mutationOptions(),
    onSuccess: () => navigate({ to: '/' }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    login.mutate({ email: formText(form, 'email'), password: formText(form, 'password') });
  };
  const unverified = isInkwellError(login.error) && login.error.data.reason === 'EMAIL_NOT_VERIFIED';
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={typedEmail}
          onChange={(event) => setTypedEmail(event.target.value)}
          error={login.error}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={login.error}
        />
        <ErrorNote error={login.error} />
        <button type="submit" disabled={login.isPending}>
          Sign in
        </button>
      </form>
      {unverified ? <ResendVerification email={typedEmail} /> : null}
      <p>
        <Link to="/forgot-password" search={{ email: typedEmail || undefined }}>
          Forgot your password?
        </Link>{' '}
        · <Link to="/sign-up">Create an account</Link>
      </p>
    </section>
  );
}

/** Where the verification mail links to: confirms the address as soon as the page opens. */
export function VerifyEmailPage() {
  const { token } = verifyEmailRoute.useSearch();
  const inkwell = useInkwell();
  const verify = useMutation(inkwell.auth.verifyEmail.mutationOptions());
  const sent = useRef(false);
  const { mutate } = verify;
  useEffect(() => {
    // Once per page: the token works once (StrictMode runs effects twice in development).
    if (!token || sent.current) return;
    sent.current = true;
    mutate({ token });
  }, [token, mutate]);
  return (
    <section className="narrow">
      <h1>Confirm your email address</h1>
      {!token ? (
        <>
          <p>This address has no verification token. Open the link from the mail as it is, or ask for a new one.</p>
          <ResendVerification />
        </>
      ) : verify.isSuccess ? (
        <div className="note ok" role="status">
          <p>Your email address is confirmed. Welcome to Inkwell!</p>
          <p>
            <Link to="/sign-in" search={{}}>
              Sign in
            </Link>
          </p>
        </div>
      ) : verify.error ? (
        <>
          <ErrorNote error={verify.error} />
          <ResendVerification />
        </>
      ) : (
        <p aria-live="polite">Confirming…</p>
      )}
    </section>
  );
}

export function ForgotPasswordPage() {
  const { email } = forgotPasswordRoute.useSearch();
  const inkwell = useInkwell();
  const request = useMutation(inkwell.auth.requestPasswordReset.mutationOptions());
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    request.mutate({ email: formText(new FormData(event.currentTarget), 'email') });
  };
  return (
    <section className="narrow">
      <h1>Reset your password</h1>
      {request.data ? (
        <Accepted message={request.data.message} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            defaultValue={email}
            error={request.error}
          />
          <ErrorNote error={request.error} />
          <button type="submit" disabled={request.isPending}>
            Mail me a reset link
          </button>
        </form>
      )}
    </section>
  );
}

/** Where the reset mail links to. */
export function ResetPasswordPage() {
  const { token } = resetPasswordRoute.useSearch();
  const inkwell = useInkwell();
  const reset = useMutation(inkwell.auth.resetPassword.mutationOptions());
  const [mismatch, setMismatch] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = formText(form, 'newPassword');
    setMismatch(newPassword !== formText(form, 'confirm'));
    if (token && newPassword === formText(form, 'confirm')) reset.mutate({ token, newPassword });
  };
  const badLink = !token || (isInkwellError(reset.error) && reset.error.data.reason === 'INVALID_TOKEN');
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {reset.isSuccess ? (
        <div className="note ok" role="status">
          <p>Your password is changed, and every session was signed out.</p>
          <p>
            <Link to="/sign-in" search={{}}>
              Sign in with the new password
            </Link>
          </p>
        </div>
      ) : (
        <>
          {token ? (
            <form onSubmit={submit} noValidate>
              <Field
                label="New password"
                name="newPassword"
                type="password"
                autoComplete="new-password"
                required
                hint={PASSWORD_HINT}
                error={reset.error}
              />
              <Field
                label="Repeat the new password"
                name="confirm"
                type="password"
                autoComplete="new-password"
                required
              />
              {mismatch ? (
                <p className="issue" role="alert">
                  The two passwords differ.
                </p>
              ) : null}
              <ErrorNote error={reset.error} />
              <button type="submit" disabled={reset.isPending}>
                Set the new password
              </button>
            </form>
          ) : (
            <p>This address has no reset token. Open the link from the mail as it is.</p>
          )}
          {badLink ? (
            <p>
              <Link to="/forgot-password" search={{}}>
                Ask for a new reset link
              </Link>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
