import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ChatApp } from './app/ChatApp';
import { AuthScreen } from './auth/AuthScreen';
import { useSession } from './auth/session';
import { ConnectionNotice } from './connection/ConnectionNotice';
import { socketAttempts } from './connection/socketRefusal';
import { resetConnectionHistory } from './connection/useConnectionState';
import { resetEventStreamPosition, wsClient } from './connection/wsClient';
import { uploads } from './files/uploads';
import { resetDeliveryQueue } from './messages/deliveryQueue';
import { outbox } from './messages/outbox';
import { typingStore } from './presence/typingStore';
import { forgetPushAfterSignOut } from './push/pushDevice';

/** Signed out: the auth screen. Signed in: the chat app. Signing out forgets everything. */
export function App() {
  const signedIn = useSession() !== null;
  const queryClient = useQueryClient();
  const wasSignedIn = useRef(signedIn);

  useEffect(() => {
    if (wasSignedIn.current && !signedIn) {
      void wsClient.close();
      resetEventStreamPosition();
      resetConnectionHistory();
      socketAttempts.reset();
      resetDeliveryQueue();
      outbox.clear();
      uploads.clear();
      typingStore.clear();
      forgetPushAfterSignOut();
      queryClient.clear();
      if (window.location.hash) history.replaceState(null, '', window.location.pathname);
    }
    wasSignedIn.current = signedIn;
  }, [signedIn, queryClient]);

  return (
    <div className="flex min-h-dvh bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      {signedIn ? (
        <>
          <ConnectionNotice />
          <ChatApp />
        </>
      ) : (
        <main className="m-auto w-full max-w-md space-y-6 p-4">
          <h1 className="text-center text-2xl font-bold tracking-tight">Chat</h1>
          <AuthScreen />
        </main>
      )}
    </div>
  );
}
