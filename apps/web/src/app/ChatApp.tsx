import type { Me } from '@chat/api';
import { describeError } from '../auth/errors';
import { SignOutButton } from '../auth/SignOutButton';
import { useEventStream } from '../connection/useEventStream';
import { useAutoResend } from '../messages/useAutoResend';
import { ChatView } from '../messages/ChatView';
import { useOpenConversationId } from '../lib/route';
import { usePushDevice } from '../push/usePushDevice';
import { trpc } from '../trpc';
import { EmptyState } from '../ui/EmptyState';
import { ErrorState } from '../ui/ErrorState';
import { LoadingState } from '../ui/LoadingState';
import { Sidebar } from './Sidebar';

/** The signed-in app: who I am first, then the live stream, the list and the open chat. */
export function ChatApp() {
  const me = trpc.user.me.useQuery(undefined, { staleTime: Infinity });

  if (me.isPending) return <LoadingState label="Loading your account…" className="m-auto" />;
  if (!me.data) {
    return (
      <div className="m-auto w-full max-w-sm space-y-2">
        <ErrorState
          message={describeError(me.error, 'Could not load your account.')}
          onRetry={() => void me.refetch()}
        />
        <div className="flex justify-center">
          <SignOutButton />
        </div>
      </div>
    );
  }
  return <SignedIn me={me.data} />;
}

function SignedIn({ me }: { me: Me }) {
  useEventStream(me.id);
  useAutoResend();
  usePushDevice();
  const openId = useOpenConversationId();

  return (
    <div className="flex h-dvh w-full overflow-hidden">
      {/* On a phone the list and the chat are two views; from md up, side by side. */}
      <aside
        aria-label="Conversation list"
        className={`w-full flex-col border-slate-200 bg-white md:flex md:w-80 md:border-r lg:w-96 dark:border-slate-800 dark:bg-slate-900 ${openId ? 'hidden' : 'flex'}`}
      >
        <Sidebar me={me} selectedId={openId} />
      </aside>
      <main
        className={`min-w-0 flex-1 flex-col bg-slate-50 md:flex dark:bg-slate-950 ${openId ? 'flex' : 'hidden'}`}
      >
        {openId ? (
          <ChatView key={openId} conversationId={openId} meId={me.id} />
        ) : (
          <div className="m-auto">
            <EmptyState title="No conversation selected">
              <p>Pick a conversation from the list, or start a new chat.</p>
            </EmptyState>
          </div>
        )}
      </main>
    </div>
  );
}
