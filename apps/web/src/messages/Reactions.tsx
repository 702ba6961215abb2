import { trpc } from '../trpc';
import { focusRing } from '../ui/styles';
import { reactorsLabel } from './reactors';
import type { Message } from './types';

interface ReactionsProps {
  reactions: Message['reactions'];
  meId: string;
  mine: boolean;
  onToggle: (emoji: string, reacted: boolean) => void;
}

/** The row under a bubble: each emoji with its count; mine are pressed, a click toggles. */
export function Reactions({ reactions, meId, mine, onToggle }: ReactionsProps) {
  const utils = trpc.useUtils();
  if (reactions.length === 0) return null;
  return (
    <ul
      aria-label="Reactions"
      className={`mt-0.5 flex flex-wrap gap-1 px-1 ${mine ? 'justify-end' : 'justify-start'}`}
    >
      {reactions.map(({ emoji, count, userIds }) => {
        const reacted = userIds.includes(meId);
        const who = reactorsLabel(userIds, meId, utils);
        return (
          <li key={emoji}>
            <button
              type="button"
              data-testid="reaction"
              aria-pressed={reacted}
              aria-label={`${emoji} ${count}: ${who}`}
              title={`${who} reacted with ${emoji}`}
              onClick={() => onToggle(emoji, reacted)}
              className={`inline-flex items-center gap-1 rounded-full border px-1.5 py-0.5 text-xs shadow-sm ${
                reacted
                  ? 'border-indigo-400 bg-indigo-50 text-indigo-900 dark:border-indigo-400 dark:bg-indigo-950 dark:text-indigo-100'
                  : 'border-slate-200 bg-white text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-200'
              } ${focusRing}`}
            >
              <span aria-hidden="true">{emoji}</span>
              <span aria-hidden="true" className="font-medium">
                {count}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
