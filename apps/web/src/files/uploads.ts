import { useSyncExternalStore } from 'react';
import type { Attachment } from '@chat/api';
import { DEFAULT_FILE_MAX_BYTES, MAX_ATTACHMENTS_PER_MESSAGE } from '@chat/contract/constants';
import { createStore } from '../lib/store';
import { uuid } from '../lib/uuid';
import { formatBytes, uploadName } from './format';
import { UploadError, uploadWithProgress } from './xhrUpload';

/** A file picked for the next message of a conversation (the composer's tray). */
export interface UploadItem {
  id: string;
  conversationId: string;
  name: string;
  size: number;
  /** The browser's guess, for the tray only (the server decides from the bytes). */
  type: string;
  /** An object URL for images, revoked when the item leaves the tray. */
  previewUrl: string | null;
  state: 'queued' | 'uploading' | 'done' | 'failed';
  /** Bytes sent so far. */
  sent: number;
  error?: string;
  /** False when trying again cannot help (too large). */
  retryable?: boolean;
  attachment?: Attachment;
}

/**
 * Uploads at a time from this tab: the gateway lets one user stream 4 at once, and a few in
 * parallel already fill the link.
 */
const MAX_PARALLEL = 3;

const store = createStore<readonly UploadItem[]>([]);
/** Per conversation: why some picked files were not added (the tray was full). */
const notices = createStore<ReadonlyMap<string, string>>(new Map());

function setNotice(conversationId: string, notice: string | null): void {
  notices.set((previous) => {
    if ((previous.get(conversationId) ?? null) === notice) return previous;
    const next = new Map(previous);
    if (notice) next.set(conversationId, notice);
    else next.delete(conversationId);
    return next;
  });
}
/** What the items' state can't hold: the bytes and the running request's cancel. */
const files = new Map<string, Blob>();
const aborts = new Map<string, () => void>();

function patch(id: string, change: Partial<UploadItem>): void {
  store.set((items) => items.map((item) => (item.id === id ? { ...item, ...change } : item)));
}

const find = (id: string) => store.get().find((item) => item.id === id);

function drop(ids: ReadonlySet<string>): void {
  for (const id of ids) {
    aborts.get(id)?.();
    aborts.delete(id);
    files.delete(id);
    const url = find(id)?.previewUrl;
    if (url) URL.revokeObjectURL(url);
  }
  store.set((items) => items.filter((item) => !ids.has(item.id)));
  pump();
}

/** Starts queued uploads while fewer than MAX_PARALLEL run. */
function pump(): void {
  let running = store.get().filter((item) => item.state === 'uploading').length;
  for (const item of store.get()) {
    if (running >= MAX_PARALLEL) return;
    if (item.state !== 'queued') continue;
    running++;
    start(item);
  }
}

function start(item: UploadItem): void {
  const file = files.get(item.id);
  if (!file) return;
  patch(item.id, { state: 'uploading', sent: 0, error: undefined });
  const handle = uploadWithProgress(item.conversationId, file, item.name, (sent) =>
    patch(item.id, { sent }),
  );
  aborts.set(item.id, () => handle.abort());
  handle.done.then(
    (attachment) => {
      aborts.delete(item.id);
      if (find(item.id)) patch(item.id, { state: 'done', sent: item.size, attachment });
      pump();
    },
    (error: unknown) => {
      aborts.delete(item.id);
      if (error instanceof DOMException && error.name === 'AbortError') return; // cancelled: dropped
      if (find(item.id)) {
        patch(item.id, {
          state: 'failed',
          error: describeUploadError(error),
          // A file the server finds too large stays too large.
          retryable: !(error instanceof UploadError && error.code === 'PAYLOAD_TOO_LARGE'),
        });
      }
      pump();
    },
  );
}

function describeUploadError(error: unknown): string {
  if (error instanceof UploadError) {
    if (error.code === 'TOO_MANY_REQUESTS' && error.retryAfterMs !== undefined)
      return `${error.message}. Try again in ${Math.ceil(error.retryAfterMs / 1000)} s.`;
    return error.message;
  }
  return error instanceof Error ? error.message : 'Upload failed';
}

export const uploads = {
  /**
   * Adds files to a conversation's tray and starts uploading them. Files over the size limit
   * are listed with their error and never sent. Files past MAX_ATTACHMENTS_PER_MESSAGE are
   * left out, and the tray's notice says so.
   */
  add(conversationId: string, picked: readonly File[]): void {
    if (picked.length === 0) return;
    const room = MAX_ATTACHMENTS_PER_MESSAGE - uploadsIn(conversationId).length;
    const accepted = picked.slice(0, Math.max(0, room));
    const added = accepted.map((file): UploadItem => {
      const id = uuid();
      const tooLarge = file.size > DEFAULT_FILE_MAX_BYTES;
      if (!tooLarge) files.set(id, file);
      return {
        id,
        conversationId,
        name: uploadName(file.name),
        size: file.size,
        type: file.type,
        previewUrl: !tooLarge && file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
        sent: 0,
        ...(tooLarge
          ? {
              state: 'failed' as const,
              retryable: false,
              error: `Too large: ${formatBytes(file.size)} (at most ${formatBytes(DEFAULT_FILE_MAX_BYTES)} per file)`,
            }
          : file.size === 0
            ? { state: 'failed' as const, retryable: false, error: 'The file is empty' }
            : { state: 'queued' as const }),
      };
    });
    store.set((items) => [...items, ...added]);
    const left = picked.length - accepted.length;
    setNotice(
      conversationId,
      left > 0
        ? `At most ${MAX_ATTACHMENTS_PER_MESSAGE} files per message: ${left} ${left === 1 ? 'was' : 'were'} not added.`
        : null,
    );
    pump();
  },
  retry(id: string): void {
    const item = find(id);
    if (item?.state === 'failed' && item.retryable !== false) {
      patch(id, { state: 'queued', error: undefined, sent: 0 });
      pump();
    }
  },
  /** Cancels an upload (xhr.abort) or takes a file out of the tray. */
  remove(id: string): void {
    const item = find(id);
    if (item) setNotice(item.conversationId, null);
    drop(new Set([id]));
  },
  /** The uploaded attachments of a conversation's tray, which is emptied: they go in a message. */
  take(conversationId: string): Attachment[] {
    const items = uploadsIn(conversationId);
    setNotice(conversationId, null);
    drop(new Set(items.map((item) => item.id)));
    return items.flatMap((item) => (item.attachment ? [item.attachment] : []));
  },
  /** Signing out: cancel and forget everything. */
  clear(): void {
    notices.set(new Map());
    drop(new Set(store.get().map((item) => item.id)));
  },
};

const empty: UploadItem[] = [];
const byConversation = new WeakMap<readonly UploadItem[], Map<string, UploadItem[]>>();

function uploadsIn(conversationId: string): UploadItem[] {
  const all = store.get();
  let grouped = byConversation.get(all);
  if (!grouped) {
    grouped = new Map();
    for (const item of all) {
      const list = grouped.get(item.conversationId) ?? [];
      list.push(item);
      grouped.set(item.conversationId, list);
    }
    byConversation.set(all, grouped);
  }
  return grouped.get(conversationId) ?? empty;
}

/** A conversation's tray, in the order the files were added. */
export function useUploads(conversationId: string): UploadItem[] {
  return useSyncExternalStore(store.subscribe, () => uploadsIn(conversationId));
}

/** Why files were left out of a conversation's tray, if some were. */
export function useTrayNotice(conversationId: string): string | undefined {
  return useSyncExternalStore(notices.subscribe, () => notices.get().get(conversationId));
}
