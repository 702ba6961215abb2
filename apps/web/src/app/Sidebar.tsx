import type { Me } from '@chat/api';
import { useState } from 'react';
import { SignOutButton } from '../auth/SignOutButton';
import { ConversationList } from '../conversations/ConversationList';
import { NewChatDialog } from '../conversations/NewChatDialog';
import { NewGroupDialog } from '../groups/NewGroupDialog';
import { NotificationBell } from '../notifications/NotificationBell';
import { ProfileButton } from '../profile/ProfileButton';
import { LazySearchDialog } from '../search/LazySearchDialog';
import { SearchIcon } from '../search/SearchIcon';
import { iconButton, secondaryButton } from '../ui/styles';

interface SidebarProps {
  me: Me;
  selectedId: string | null;
}

/** The list view: me, notifications, sign-out, "New chat"/"New group", conversations. */
export function Sidebar({ me, selectedId }: SidebarProps) {
  const [dialog, setDialog] = useState<'chat' | 'group' | 'search' | null>(null);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <header className="flex items-center gap-1 border-b border-slate-200 px-2 py-2 dark:border-slate-800">
        <ProfileButton me={me} />
        <button
          type="button"
          onClick={() => setDialog('search')}
          className={iconButton}
          aria-label="Search messages"
          title="Search messages"
        >
          <SearchIcon />
        </button>
        <NotificationBell />
        <SignOutButton />
      </header>
      <div className="flex items-center justify-between gap-2 px-3 py-3">
        <h1 className="text-lg font-bold tracking-tight">Chats</h1>
        <div className="flex gap-2">
          <button type="button" onClick={() => setDialog('chat')} className={secondaryButton}>
            New chat
          </button>
          <button type="button" onClick={() => setDialog('group')} className={secondaryButton}>
            New group
          </button>
        </div>
      </div>
      <ConversationList meId={me.id} selectedId={selectedId} />
      <NewChatDialog open={dialog === 'chat'} onClose={() => setDialog(null)} />
      <NewGroupDialog open={dialog === 'group'} onClose={() => setDialog(null)} />
      {dialog === 'search' && <LazySearchDialog meId={me.id} onClose={() => setDialog(null)} />}
    </div>
  );
}
