import { describeError } from '../auth/errors';
import { openConversation } from '../lib/route';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { upsertConversation } from './conversationCache';
import { PeopleSearch } from './PeopleSearch';

interface NewChatDialogProps {
  open: boolean;
  onClose: () => void;
}

/** "New chat": search people, pick one, open (or reuse) the direct conversation. */
export function NewChatDialog({ open, onClose }: NewChatDialogProps) {
  const utils = trpc.useUtils();
  const openDirect = trpc.chat.openDirect.useMutation({
    onSuccess(conversation) {
      upsertConversation(utils, conversation);
      openConversation(conversation.id);
      onClose();
    },
  });

  return (
    <Dialog open={open} onClose={onClose} title="New chat">
      <div className="space-y-3">
        <PeopleSearch
          label="Search people"
          actionLabel="Chat with"
          disabled={openDirect.isPending}
          onPick={(user) => openDirect.mutate({ userId: user.id })}
          autoFocus
        />
        {openDirect.error && <ErrorAlert message={describeError(openDirect.error)} />}
      </div>
    </Dialog>
  );
}
