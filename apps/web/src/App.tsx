import { AuthScreen } from './auth/AuthScreen';
import { ProfileCard } from './auth/ProfileCard';
import { useTokens } from './auth/tokens';

export function App() {
  const signedIn = useTokens() !== null;

  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-slate-50 p-4 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <main className="w-full max-w-md space-y-6">
        <h1 className="text-center text-2xl font-bold tracking-tight">Chat</h1>
        {signedIn ? <ProfileCard /> : <AuthScreen />}
      </main>
    </div>
  );
}
