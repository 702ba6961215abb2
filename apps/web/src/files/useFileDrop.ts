import { useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import { uploads } from './uploads';

const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');

/**
 * Files dropped anywhere on the chat, or pasted into it (a screenshot from the clipboard),
 * go to the composer's tray. `dragging` is true while files are held over the chat.
 */
export function useFileDrop(conversationId: string) {
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when it really left.
  const depth = useRef(0);

  const handlers = {
    onDragEnter(event: DragEvent) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth.current++;
      setDragging(true);
    },
    onDragOver(event: DragEvent) {
      if (!hasFiles(event)) return;
      // Without this the browser opens the file instead of dropping it here.
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave(event: DragEvent) {
      if (!hasFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop(event: DragEvent) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      uploads.add(conversationId, [...event.dataTransfer.files]);
    },
    onPaste(event: ClipboardEvent) {
      const data = event.clipboardData;
      const files = [...data.files];
      // Copied text that also comes with a picture of itself (office apps) pastes as text.
      if (files.length === 0 || data.types.includes('text/plain')) return;
      event.preventDefault();
      uploads.add(conversationId, files);
    },
  };
  return { dragging, handlers };
}
