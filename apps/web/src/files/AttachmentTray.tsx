import { focusRing } from '../ui/styles';
import { FileIcon } from './FileIcon';
import { formatBytes } from './format';
import { uploads, type UploadItem } from './uploads';

/**
 * The files waiting to go with the next message: a preview (images from an object URL), the
 * name, a progress bar while uploading, the error when it failed, and Cancel / Retry / Remove.
 */
export function AttachmentTray({ items }: { items: readonly UploadItem[] }) {
  if (items.length === 0) return null;
  return (
    <ul aria-label="Files to send" className="flex max-h-48 flex-wrap gap-2 overflow-y-auto pb-2">
      {items.map((item) => (
        <TrayItem key={item.id} item={item} />
      ))}
    </ul>
  );
}

function TrayItem({ item }: { item: UploadItem }) {
  const failed = item.state === 'failed';
  const busy = item.state === 'queued' || item.state === 'uploading';
  const percent = item.size ? Math.min(100, Math.round((item.sent / item.size) * 100)) : 0;
  return (
    <li
      data-testid="upload"
      data-state={item.state}
      className={`flex w-64 max-w-full items-center gap-2 rounded-xl border bg-slate-50 p-1.5 text-xs dark:bg-slate-800 ${
        failed ? 'border-red-400 dark:border-red-700' : 'border-slate-200 dark:border-slate-700'
      }`}
    >
      {item.previewUrl ? (
        <img
          src={item.previewUrl}
          alt=""
          className="size-10 shrink-0 rounded-md object-cover"
          draggable={false}
        />
      ) : (
        <FileIcon name={item.name} className="size-10 text-slate-500 dark:text-slate-400" />
      )}
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium" title={item.name}>
          {item.name}
        </p>
        {busy && (
          <>
            <div
              role="progressbar"
              aria-label={`Uploading ${item.name}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
            >
              <div
                className="h-full rounded-full bg-indigo-600 transition-[width] dark:bg-indigo-400"
                style={{ width: `${percent}%` }}
              />
            </div>
            <p className="mt-0.5 text-slate-600 dark:text-slate-400">
              {item.state === 'queued' ? 'Waiting…' : `${percent}% of ${formatBytes(item.size)}`}
            </p>
          </>
        )}
        {item.state === 'done' && (
          <p className="text-slate-600 dark:text-slate-400">{formatBytes(item.size)} · Ready</p>
        )}
        {failed && (
          <p role="alert" className="text-red-700 dark:text-red-300">
            {item.error ?? 'Upload failed'}
          </p>
        )}
      </div>
      <div className="flex shrink-0 items-center gap-0.5">
        {failed && item.retryable !== false && (
          <button
            type="button"
            onClick={() => uploads.retry(item.id)}
            aria-label={`Retry uploading ${item.name}`}
            className={`inline-flex h-7 items-center rounded px-1.5 font-semibold text-indigo-700 underline underline-offset-2 hover:bg-slate-200 dark:text-indigo-300 dark:hover:bg-slate-700 ${focusRing}`}
          >
            Retry
          </button>
        )}
        <button
          type="button"
          onClick={() => uploads.remove(item.id)}
          aria-label={busy ? `Cancel uploading ${item.name}` : `Remove ${item.name}`}
          title={busy ? 'Cancel upload' : 'Remove'}
          className={`inline-flex size-7 items-center justify-center rounded-full text-slate-600 hover:bg-slate-200 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-700 dark:hover:text-white ${focusRing}`}
        >
          <span aria-hidden="true" className="text-lg leading-none">
            ×
          </span>
        </button>
      </div>
    </li>
  );
}
