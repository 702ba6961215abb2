import { dayLabel } from '../lib/time';

/** "Today", "Yesterday", "Monday, 3 March 2025" between messages of different days. */
export function DaySeparator({ iso }: { iso: string }) {
  return (
    <div role="separator" aria-label={dayLabel(iso)} className="my-3 flex items-center gap-3 px-2">
      <span aria-hidden="true" className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
      <span
        aria-hidden="true"
        className="rounded-full bg-slate-100 px-3 py-0.5 text-xs font-medium text-slate-600 dark:bg-slate-800 dark:text-slate-300"
      >
        {dayLabel(iso)}
      </span>
      <span aria-hidden="true" className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
    </div>
  );
}
