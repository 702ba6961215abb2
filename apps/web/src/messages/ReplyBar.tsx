import { displayNameOf, useUser } from '../presence/useUser';
import { iconButton, mutedText } from '../ui/styles';
import { quoteText } from './quoteText';
import type { Quote } from './replyStore';

/** Above the message box while replying: whom and what, and a way out (or Escape). */
export function ReplyBar({ quote, onCancel }: { quote: Quote; onCancel: () => void }) {
  const name = displayNameOf(useUser(quote.senderId).data, '…');
  return (
    <div
      role="group"
      aria-label="Reply"
      className="mb-1.5 flex items-center gap-2 rounded-lg border-l-4 border-indigo-500 bg-slate-100 py-1 pr-1 pl-3 dark:bg-slate-800"
    >
      <p className="min-w-0 flex-1 text-sm">
        <span className="block text-xs font-semibold text-indigo-700 dark:text-indigo-300">
          Replying to {name}
        </span>
        <span className={`block truncate ${mutedText}`}>{quoteText(quote)}</span>
      </p>
      <button type="button" onClick={onCancel} aria-label="Cancel reply" className={iconButton}>
        <span aria-hidden="true" className="text-xl leading-none">
          ×
        </span>
      </button>
    </div>
  );
}
