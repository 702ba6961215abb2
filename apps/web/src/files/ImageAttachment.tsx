import { useState } from 'react';
import type { Attachment } from '@chat/api';
import { focusRing } from '../ui/styles';
import { ImageViewer } from './ImageViewer';

/** The thumbnail's displayed size: the image's own proportions, within a `box`-pixel square. */
function fit(width: number, height: number, box: number) {
  const scale = Math.min(1, box / width, box / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * An image in a message: its thumbnail, with the space reserved from the image's size before
 * it loads (so the history doesn't jump), opening the full image in a dialog.
 */
export function ImageAttachment({ image, box }: { image: Attachment; box: number }) {
  const [viewing, setViewing] = useState(false);
  // Mounted on first use, then kept: closing the native dialog returns focus to this button.
  const [opened, setOpened] = useState(false);
  const [broken, setBroken] = useState(false);
  const size =
    image.width && image.height ? fit(image.width, image.height, box) : { width: box, height: box };

  return (
    <>
      <button
        type="button"
        onClick={() => {
          setOpened(true);
          setViewing(true);
        }}
        aria-haspopup="dialog"
        className={`block max-w-full overflow-hidden rounded-lg ${focusRing}`}
        style={{ width: size.width, aspectRatio: `${size.width} / ${size.height}` }}
      >
        <span className="sr-only">Open image </span>
        {broken ? (
          <span className="flex size-full items-center justify-center bg-slate-200 p-2 text-xs text-slate-700 dark:bg-slate-700 dark:text-slate-200">
            {image.name} (preview unavailable)
          </span>
        ) : (
          <img
            src={image.thumbnailUrl ?? image.url}
            alt={image.name}
            width={size.width}
            height={size.height}
            loading="lazy"
            decoding="async"
            draggable={false}
            onError={() => setBroken(true)}
            className="block size-full bg-slate-200 object-cover dark:bg-slate-700"
          />
        )}
      </button>
      {opened && <ImageViewer image={image} open={viewing} onClose={() => setViewing(false)} />}
    </>
  );
}
