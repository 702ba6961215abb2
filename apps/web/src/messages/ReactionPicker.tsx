import { lazy, Suspense } from 'react';
import { Dialog } from '../ui/Dialog';
import { LoadingState } from '../ui/LoadingState';
import type { EmojiGridsProps } from './EmojiGrids';

// Reacting through the picker is occasional: its emoji grid stays out of the initial bundle.
const EmojiGrids = lazy(() => import('./EmojiGrids').then((m) => ({ default: m.EmojiGrids })));

interface ReactionPickerProps extends EmojiGridsProps {
  open: boolean;
  onClose: () => void;
}

/** "React": the quick reactions, then a grid of common emoji; picking one closes it. */
export function ReactionPicker({ open, mine, onPick, onClose }: ReactionPickerProps) {
  return (
    <Dialog open={open} onClose={onClose} title="Add a reaction" className="max-w-xs">
      <Suspense fallback={<LoadingState label="Loading emoji…" />}>
        <EmojiGrids mine={mine} onPick={onPick} />
      </Suspense>
    </Dialog>
  );
}
