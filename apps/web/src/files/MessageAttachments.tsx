import type { Attachment } from '@chat/api';
import { focusRing } from '../ui/styles';
import { FileIcon } from './FileIcon';
import { formatBytes } from './format';
import { ImageAttachment } from './ImageAttachment';

interface MessageAttachmentsProps {
  attachments: readonly Attachment[];
  /** In my own (indigo) bubble: colours that keep their contrast there. */
  mine: boolean;
}

/** A message's files: images as thumbnails, audio and video players, other files as cards. */
export function MessageAttachments({ attachments, mine }: MessageAttachmentsProps) {
  const images = attachments.filter((a) => a.kind === 'image');
  const others = attachments.filter((a) => a.kind !== 'image');
  // One image gets room; several share it as a grid of smaller thumbnails.
  const box = images.length > 1 ? 160 : 320;
  return (
    <div className="flex flex-col gap-1 p-1">
      {images.length > 0 && (
        <div className="flex flex-wrap gap-1">
          {images.map((image) => (
            <ImageAttachment key={image.id} image={image} box={box} />
          ))}
        </div>
      )}
      {others.map((attachment) =>
        attachment.kind === 'file' ? (
          <FileCard key={attachment.id} file={attachment} mine={mine} />
        ) : (
          <MediaAttachment key={attachment.id} media={attachment} mine={mine} />
        ),
      )}
    </div>
  );
}

const cardColours = (mine: boolean) =>
  mine
    ? 'bg-black/15 text-white hover:bg-black/25'
    : 'bg-slate-100 text-slate-900 hover:bg-slate-200 dark:bg-slate-900/60 dark:text-slate-100 dark:hover:bg-slate-900';

const metaColours = (mine: boolean) =>
  mine ? 'text-indigo-100' : 'text-slate-600 dark:text-slate-400';

/** A file to download: the link carries `download`, and the server sends it as an attachment. */
function FileCard({ file, mine }: { file: Attachment; mine: boolean }) {
  return (
    <a
      href={file.url}
      download={file.name}
      aria-label={`Download ${file.name} (${formatBytes(file.size)})`}
      className={`flex w-64 max-w-full items-center gap-2 rounded-xl p-2 ${cardColours(mine)} ${focusRing}`}
    >
      <FileIcon name={file.name} />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium" title={file.name}>
          {file.name}
        </span>
        <span className={`block text-xs ${metaColours(mine)}`}>
          {formatBytes(file.size)} · Download
        </span>
      </span>
    </a>
  );
}

/** Audio and video: the browser's own players (keyboard-operable), with the name and a download link. */
function MediaAttachment({ media, mine }: { media: Attachment; mine: boolean }) {
  const ratio = media.width && media.height ? `${media.width} / ${media.height}` : undefined;
  return (
    <figure className="flex w-80 max-w-full flex-col gap-1">
      {media.kind === 'video' ? (
        <video
          controls
          preload="metadata"
          src={media.url}
          aria-label={media.name}
          className={`w-full rounded-lg bg-black ${ratio ? '' : 'aspect-video'}`}
          style={ratio ? { aspectRatio: ratio } : undefined}
        />
      ) : (
        <audio
          controls
          preload="metadata"
          src={media.url}
          aria-label={media.name}
          className="w-full"
        />
      )}
      <figcaption className={`flex items-center gap-2 px-1 text-xs ${metaColours(mine)}`}>
        <span className="min-w-0 flex-1 truncate" title={media.name}>
          {media.name} · {formatBytes(media.size)}
        </span>
        <a
          href={media.url}
          download={media.name}
          aria-label={`Download ${media.name}`}
          className={`shrink-0 rounded font-medium underline underline-offset-2 ${focusRing}`}
        >
          Download
        </a>
      </figcaption>
    </figure>
  );
}
