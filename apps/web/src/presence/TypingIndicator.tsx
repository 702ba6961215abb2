import { displayNameOf, useUser } from './useUser';
import { useTypingUsers } from './typingStore';

function TypingName({ userId }: { userId: string }) {
  const user = useUser(userId);
  return <>{displayNameOf(user.data, 'Someone')}</>;
}

/** "Alice is typing…" under the messages; announced politely. */
export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const typing = useTypingUsers(conversationId);
  return (
    <p
      aria-live="polite"
      className="h-5 truncate px-4 text-xs text-slate-500 italic dark:text-slate-400"
    >
      {typing.length === 1 && (
        <>
          <TypingName userId={typing[0]!} /> is typing…
        </>
      )}
      {typing.length === 2 && (
        <>
          <TypingName userId={typing[0]!} /> and <TypingName userId={typing[1]!} /> are typing…
        </>
      )}
      {typing.length > 2 && <>Several people are typing…</>}
    </p>
  );
}
