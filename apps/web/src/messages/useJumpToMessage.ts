import { useCallback, useEffect, useRef, type RefObject } from 'react';
import type { DisplayMessage } from './useMessages';

/** How many older pages a quote's click may load looking for its original. */
const MAX_PAGES = 10;
const HIGHLIGHT_MS = 2_000;

interface JumpOptions {
  scroller: RefObject<HTMLDivElement | null>;
  messages: DisplayMessage[];
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
  onNotFound: () => void;
  /** Called right after the log was scrolled to the target, before the browser's scroll event. */
  onScrolled: () => void;
}

/** The highlight is DOM state (a data attribute the bubble's classes style), not React's. */
function highlight(element: HTMLElement) {
  element.dataset.highlighted = 'true';
  setTimeout(() => delete element.dataset.highlighted, HIGHLIGHT_MS);
}

/**
 * A reply's quote clicked: scroll to the original, highlight it briefly and give it the
 * focus. Not loaded yet → older pages load until it is, at most MAX_PAGES of them.
 *
 * The scroll is instant and `onScrolled` follows at once: a smooth scroll's first frames
 * still count as "at the bottom", and a live update landing then (a read receipt, a new
 * message) pinned the log back down; an older page prepended mid-animation cancelled it.
 */
export function useJumpToMessage({
  scroller,
  messages,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  onNotFound,
  onScrolled,
}: JumpOptions) {
  const target = useRef<{ id: string; pagesLeft: number }>(undefined);
  const state = useRef({ hasNextPage, isFetchingNextPage, fetchNextPage, onNotFound, onScrolled });
  useEffect(() => {
    state.current = { hasNextPage, isFetchingNextPage, fetchNextPage, onNotFound, onScrolled };
  });

  const attempt = useCallback(() => {
    const wanted = target.current;
    if (!wanted) return;
    const element = scroller.current?.querySelector<HTMLElement>(
      `[data-message-id="${CSS.escape(wanted.id)}"]`,
    );
    const { hasNextPage, isFetchingNextPage, fetchNextPage, onNotFound, onScrolled } =
      state.current;
    if (element) {
      target.current = undefined;
      element.scrollIntoView({ block: 'center', behavior: 'instant' });
      onScrolled();
      element.focus({ preventScroll: true });
      highlight(element);
    } else if (isFetchingNextPage) {
      // Tried again when the page arrives.
    } else if (hasNextPage && wanted.pagesLeft > 0) {
      target.current = { ...wanted, pagesLeft: wanted.pagesLeft - 1 };
      void fetchNextPage();
    } else {
      target.current = undefined;
      onNotFound();
    }
  }, [scroller]);

  // Every page that arrives: is it there now?
  useEffect(attempt, [attempt, messages, isFetchingNextPage]);

  const jumpTo = useCallback(
    (id: string) => {
      target.current = { id, pagesLeft: MAX_PAGES };
      attempt();
    },
    [attempt],
  );

  return jumpTo;
}
