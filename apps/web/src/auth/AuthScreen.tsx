import { useState } from 'react';
import { SignInForm } from './SignInForm';
import { SignUpForm } from './SignUpForm';

type Mode = 'sign-in' | 'sign-up';

/** Signed-out view: the sign-in form, with a switch to the sign-up form. */
export function AuthScreen() {
  const [mode, setMode] = useState<Mode>('sign-in');
  const signingIn = mode === 'sign-in';

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      {signingIn ? <SignInForm key="sign-in" /> : <SignUpForm key="sign-up" />}
      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">
        {signingIn ? 'New here?' : 'Have an account?'}{' '}
        <button
          type="button"
          onClick={() => setMode(signingIn ? 'sign-up' : 'sign-in')}
          className="rounded font-medium text-indigo-600 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
        >
          {signingIn ? 'Register' : 'Log in'}
        </button>
      </p>
    </section>
  );
}
