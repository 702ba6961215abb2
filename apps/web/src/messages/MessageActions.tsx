import type { ReactNode } from 'react';
import { focusRing } from '../ui/styles';

const actionButton = `shrink-0 rounded-full p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white ${focusRing}`;

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 20 20"
      className="size-4"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {children}
    </svg>
  );
}

export interface MessageActionsProps {
  onReply?: () => void;
  onReact?: () => void;
  onEdit?: () => void;
  onDeleteForEveryone?: () => void;
  onDeleteForMe?: () => void;
}

/**
 * The buttons beside a bubble, shown on hover or when focus is inside the message (so the
 * keyboard reaches them in order); only the ones that apply are there.
 */
export function MessageActions({
  onReply,
  onReact,
  onEdit,
  onDeleteForEveryone,
  onDeleteForMe,
}: MessageActionsProps) {
  return (
    <div
      role="group"
      aria-label="Message actions"
      className="flex shrink-0 items-center opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 focus-within:opacity-100"
    >
      {onReply && (
        <ActionButton label="Reply" onClick={onReply}>
          <path d="M8 5L3.5 9.5 8 14M4 9.5h7a5 5 0 015 5v1" />
        </ActionButton>
      )}
      {onReact && (
        <ActionButton label="React" onClick={onReact}>
          <circle cx="10" cy="10" r="7" />
          <path d="M7 11.5a3.5 3.5 0 006 0M7.5 8h0M12.5 8h0" />
        </ActionButton>
      )}
      {onEdit && (
        <ActionButton label="Edit" onClick={onEdit}>
          <path d="M12.5 4.5l3 3L7 16H4v-3l8.5-8.5z" />
        </ActionButton>
      )}
      {onDeleteForEveryone && (
        <ActionButton label="Delete for everyone" onClick={onDeleteForEveryone} danger>
          <circle cx="10" cy="10" r="7" />
          <path d="M5 15L15 5" />
        </ActionButton>
      )}
      {onDeleteForMe && (
        <ActionButton
          label="Delete message for me"
          title="Delete for me"
          onClick={onDeleteForMe}
          danger
        >
          <path d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10" />
        </ActionButton>
      )}
    </div>
  );
}

/** One icon button; `children` are the icon's strokes. */
function ActionButton({
  label,
  title = label,
  onClick,
  danger = false,
  children,
}: {
  label: string;
  title?: string;
  onClick: () => void;
  danger?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={label}
      title={title}
      className={
        danger ? `${actionButton} hover:text-red-600 dark:hover:text-red-400` : actionButton
      }
    >
      <Icon>{children}</Icon>
    </button>
  );
}
