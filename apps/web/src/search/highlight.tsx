import type { ReactNode } from 'react';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text with each searched word marked (case-insensitive), for a result's snippet. */
export function highlight(text: string, query: string): ReactNode[] {
  const words = query.split(/\s+/).filter(Boolean).map(escape);
  if (words.length === 0) return [text];
  const pattern = new RegExp(`(${words.join('|')})`, 'gi');
  return text.split(pattern).map((part, index) =>
    index % 2 === 1 ? (
      <mark key={index} className="rounded-sm bg-amber-200 text-inherit dark:bg-amber-700">
        {part}
      </mark>
    ) : (
      part
    ),
  );
}
