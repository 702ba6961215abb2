import type { ReactNode } from 'react';
import { mutedText } from './styles';

/** What an empty list says, with an optional next step. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className={`flex flex-col items-center gap-2 p-8 text-center text-sm ${mutedText}`}>
      <p className="font-medium text-slate-800 dark:text-slate-200">{title}</p>
      {children}
    </div>
  );
}
