import type { Attachment } from '@chat/api';
import { Dialog } from '../ui/Dialog';
import { focusRing } from '../ui/styles';
import { formatBytes } from './format';

interface ImageViewerProps {
  image: Attachment;
  open: boolean;
  onClose: () => void;
}

/** The full-size image in a modal dialog named after the file (Escape or Close leave it). */
export function ImageViewer({ image, open, onClose }: ImageViewerProps) {
  return (
    <Dialog open={open} onClose={onClose} title={image.name} className="max-w-5xl">
      <img
        src={image.url}
        alt={image.name}
        width={image.width ?? undefined}
        height={image.height ?? undefined}
        className="mx-auto block h-auto max-h-[70dvh] w-auto max-w-full object-contain"
      />
      <p className="mt-3 flex items-center justify-between gap-2 text-sm text-slate-600 dark:text-slate-400">
        <span>
          {image.width && image.height ? `${image.width} × ${image.height} · ` : ''}
          {formatBytes(image.size)}
        </span>
        <a
          href={image.url}
          download={image.name}
          className={`rounded font-medium text-indigo-700 underline underline-offset-2 dark:text-indigo-300 ${focusRing}`}
        >
          Download
        </a>
      </p>
    </Dialog>
  );
}
