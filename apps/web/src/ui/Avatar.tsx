import type { ReactNode } from 'react';
import { initials } from '../lib/initials';

const palette = [
  'bg-indigo-100 text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100',
  'bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100',
  'bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100',
  'bg-rose-100 text-rose-800 dark:bg-rose-900 dark:text-rose-100',
  'bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100',
  'bg-violet-100 text-violet-800 dark:bg-violet-900 dark:text-violet-100',
];

function colourFor(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return palette[Math.abs(hash) % palette.length]!;
}

const sizes = { sm: 'size-8 text-xs', md: 'size-10 text-sm', lg: 'size-16 text-xl' };

interface AvatarProps {
  name: string;
  /** Only https images are shown; anything else falls back to initials. */
  src?: string | null;
  size?: keyof typeof sizes;
  /** Overlay, e.g. a presence dot. */
  children?: ReactNode;
}

/** A decorative picture or initials; the name is always next to it in text. */
export function Avatar({ name, src, size = 'md', children }: AvatarProps) {
  const safeSrc = src?.startsWith('https://') ? src : null;
  return (
    <span className="relative inline-flex shrink-0" aria-hidden={children ? undefined : true}>
      {safeSrc ? (
        <img
          src={safeSrc}
          alt=""
          referrerPolicy="no-referrer"
          className={`${sizes[size]} rounded-full object-cover`}
        />
      ) : (
        <span
          aria-hidden="true"
          className={`${sizes[size]} ${colourFor(name)} inline-flex items-center justify-center rounded-full font-semibold`}
        >
          {initials(name)}
        </span>
      )}
      {children}
    </span>
  );
}
