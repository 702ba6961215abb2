import { displayNameOf, useUser } from '../presence/useUser';
import { focusRing } from '../ui/styles';
import { quoteText } from './quoteText';
import type { Quote } from './replyStore';

/** The quoted message above a reply's text; a click shows the original in the log. */
export function ReplyQuote({
  quote,
  mine,
  onJump,
}: {
  quote: Quote;
  mine: boolean;
  onJump: (messageId: string) => void;
}) {
  const name = displayNameOf(useUser(quote.senderId).data, '…');
  return (
    <button
      type="button"
      onClick={() => onJump(quote.id)}
      data-testid="reply-quote"
      className={`mx-2 mt-2 block max-w-full min-w-0 rounded-md border-l-4 px-2 py-1 text-left text-xs ${
        mine
          ? 'border-indigo-200 bg-indigo-700/60 text-indigo-50 hover:bg-indigo-700'
          : 'border-indigo-500 bg-slate-100 text-slate-700 hover:bg-slate-200 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-950'
      } ${focusRing}`}
    >
      <span className="sr-only">In reply to </span>
      <span className="block font-semibold">{name}</span>
      <span className={`line-clamp-2 break-words ${quote.deleted ? 'italic' : ''}`}>
        {quoteText(quote)}
      </span>
      <span className="sr-only"> (show the original message)</span>
    </button>
  );
}
