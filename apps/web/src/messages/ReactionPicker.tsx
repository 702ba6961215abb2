import { Dialog } from '../ui/Dialog';
import { focusRing } from '../ui/styles';
import { MORE_EMOJI, QUICK_REACTIONS } from './emoji';

interface ReactionPickerProps {
  open: boolean;
  /** The emoji I have already used on this message: pressed, and a click takes it back. */
  mine: readonly string[];
  onPick: (emoji: string, reacted: boolean) => void;
  onClose: () => void;
}

function EmojiGrid({
  label,
  emoji,
  mine,
  onPick,
  autofocusFirst,
}: Omit<ReactionPickerProps, 'open' | 'onClose'> & {
  label: string;
  emoji: ReadonlyArray<readonly [string, string]>;
  autofocusFirst?: boolean;
}) {
  return (
    <ul aria-label={label} className="grid grid-cols-6 gap-1">
      {emoji.map(([glyph, name], index) => {
        const reacted = mine.includes(glyph);
        return (
          <li key={glyph}>
            <button
              type="button"
              aria-label={name}
              aria-pressed={reacted}
              title={name}
              data-autofocus={(autofocusFirst && index === 0) || undefined}
              onClick={() => onPick(glyph, reacted)}
              className={`flex size-10 items-center justify-center rounded-lg text-2xl hover:bg-slate-100 aria-pressed:bg-indigo-100 dark:hover:bg-slate-800 dark:aria-pressed:bg-indigo-900 ${focusRing}`}
            >
              <span aria-hidden="true">{glyph}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** "React": the quick reactions, then a grid of common emoji; picking one closes it. */
export function ReactionPicker({ open, mine, onPick, onClose }: ReactionPickerProps) {
  return (
    <Dialog open={open} onClose={onClose} title="Add a reaction" className="max-w-xs">
      <EmojiGrid
        label="Quick reactions"
        emoji={QUICK_REACTIONS}
        mine={mine}
        onPick={onPick}
        autofocusFirst
      />
      <h3 className="mt-3 mb-1 text-xs font-semibold text-slate-600 dark:text-slate-400">
        More emoji
      </h3>
      <EmojiGrid label="More emoji" emoji={MORE_EMOJI} mine={mine} onPick={onPick} />
    </Dialog>
  );
}
