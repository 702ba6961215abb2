import { useState, type FormEvent } from 'react';
import { trpc } from '../trpc';
import { ErrorAlert } from '../ui/ErrorAlert';
import { SubmitButton } from '../ui/SubmitButton';
import { TextField } from '../ui/TextField';
import { errorMessage, fieldError } from './errors';
import { startSession } from './session';

export function SignUpForm() {
  const utils = trpc.useUtils();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const register = trpc.auth.register.useMutation({
    onSuccess(session) {
      utils.user.me.setData(undefined, session.user);
      startSession(session);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (register.isPending) return;
    register.mutate({ username, email, password });
  }

  const error = register.error;
  const message = errorMessage(error);

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="sign-up-heading" className="space-y-4">
      <h2 id="sign-up-heading" className="text-xl font-semibold">
        Create your account
      </h2>
      <TextField
        id="sign-up-username"
        label="Username"
        value={username}
        onChange={setUsername}
        error={fieldError(error, 'username')}
        hint="3–32 characters: lowercase letters, digits and _"
        autoComplete="username"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        autoFocus
      />
      <TextField
        id="sign-up-email"
        label="Email"
        type="email"
        value={email}
        onChange={setEmail}
        error={fieldError(error, 'email')}
        autoComplete="email"
        required
      />
      <TextField
        id="sign-up-password"
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        error={fieldError(error, 'password')}
        hint="At least 8 characters"
        autoComplete="new-password"
        required
      />
      {message && <ErrorAlert message={message} />}
      <SubmitButton pending={register.isPending}>Create account</SubmitButton>
    </form>
  );
}
