import { useEffect, useRef } from 'react';
import { focusRing } from '../ui/styles';
import { MORE_EMOJI, QUICK_REACTIONS } from './emoji';

export interface EmojiGridsProps {
  /** The emoji I have already used on this message: pressed, and a click takes it back. */
  mine: readonly string[];
  onPick: (emoji: string, reacted: boolean) => void;
}

function EmojiGrid({
  label,
  emoji,
  mine,
  onPick,
  autofocusFirst,
}: EmojiGridsProps & {
  label: string;
  emoji: ReadonlyArray<readonly [string, string]>;
  autofocusFirst?: boolean;
}) {
  const first = useRef<HTMLButtonElement>(null);
  // Loaded after the dialog opened: its own autofocus has passed, so take the focus here.
  // (Already loaded, the dialog isn't open yet and the Dialog focuses `data-autofocus`.)
  useEffect(() => {
    if (first.current?.closest('dialog')?.open) first.current.focus();
  }, []);
  return (
    <ul aria-label={label} className="grid grid-cols-6 gap-1">
      {emoji.map(([glyph, name], index) => {
        const reacted = mine.includes(glyph);
        const autofocus = autofocusFirst && index === 0;
        return (
          <li key={glyph}>
            <button
              ref={autofocus ? first : undefined}
              type="button"
              aria-label={name}
              aria-pressed={reacted}
              title={name}
              data-autofocus={autofocus || undefined}
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

/** The picker's content (a lazy chunk): the quick reactions, then a grid of common emoji. */
export function EmojiGrids({ mine, onPick }: EmojiGridsProps) {
  return (
    <>
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
    </>
  );
}
