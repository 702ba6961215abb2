/** What an infinite query caches: pages with their items (and cursors, kept as they are). */
interface InfiniteData<T> {
  pages: Array<{ items: T[] }>;
}

/**
 * Changes the items of an infinite query's pages with one of the SDK's pure page functions
 * (which return the same arrays when nothing changed): unchanged pages, and unchanged data,
 * stay the same objects, so nothing re-renders for nothing.
 */
export function changeItems<T, D extends InfiniteData<T>>(
  data: D | undefined,
  change: (pages: readonly (readonly T[])[]) => readonly (readonly T[])[],
): D | undefined {
  if (!data) return data;
  const before = data.pages.map((page) => page.items);
  const after = change(before);
  if (after === before) return data;
  const pages = data.pages.map((page, index) => {
    const items = after[index] ?? [];
    return items === page.items ? page : { ...page, items: [...items] };
  });
  return { ...data, pages };
}
