import { useState, type FormEvent } from 'react';
import { trpc } from '../trpc';
import { ErrorAlert } from '../ui/ErrorAlert';
import { SubmitButton } from '../ui/SubmitButton';
import { TextField } from '../ui/TextField';
import { errorMessage, fieldError } from './errors';
import { startSession } from './session';

export function SignInForm() {
  const utils = trpc.useUtils();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');

  const login = trpc.auth.login.useMutation({
    onSuccess(session) {
      utils.user.me.setData(undefined, session.user);
      startSession(session);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (login.isPending) return;
    login.mutate({ identifier, password });
  }

  const error = login.error;
  const message = errorMessage(error);

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="sign-in-heading" className="space-y-4">
      <h2 id="sign-in-heading" className="text-xl font-semibold">
        Welcome back
      </h2>
      <TextField
        id="sign-in-identifier"
        label="Username or email"
        value={identifier}
        onChange={setIdentifier}
        error={fieldError(error, 'identifier')}
        autoComplete="username"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        autoFocus
      />
      <TextField
        id="sign-in-password"
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        error={fieldError(error, 'password')}
        autoComplete="current-password"
        required
      />
      {message && <ErrorAlert message={message} />}
      <SubmitButton pending={login.isPending}>Sign in</SubmitButton>
    </form>
  );
}
