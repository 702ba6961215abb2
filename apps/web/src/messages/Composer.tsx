import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CONTENT_CHARS } from '@chat/contract/constants';
import { AttachmentTray } from '../files/AttachmentTray';
import { uploads, useTrayNotice, useUploads } from '../files/uploads';
import { focusRing, iconButton, primaryButton } from '../ui/styles';
import { ReplyBar } from './ReplyBar';
import { replies, useReplyingTo } from './replyStore';
import { useSendMessage } from './useSendMessage';
import { useTypingSender } from './useTypingSender';

/** Unsent text per conversation, kept while switching between them. */
const drafts = new Map<string, string>();

/**
 * The message box: Enter sends, Shift+Enter starts a new line. Files (the clip button, or
 * pasted and dropped on the chat) upload into the tray above it; Send waits for them.
 */
export function Composer({ conversationId }: { conversationId: string }) {
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '');
  const field = useRef<HTMLTextAreaElement>(null);
  const { send } = useSendMessage(conversationId);
  const typing = useTypingSender(conversationId);

  const picker = useRef<HTMLInputElement>(null);
  const tray = useUploads(conversationId);
  const trayNotice = useTrayNotice(conversationId);
  const replyingTo = useReplyingTo(conversationId);

  // "Reply" on a message: type the answer right away.
  useEffect(() => {
    if (replyingTo) field.current?.focus();
  }, [replyingTo]);

  const trimmed = text.trim();
  const tooLong = trimmed.length > MAX_CONTENT_CHARS;
  const uploading = tray.some((item) => item.state === 'queued' || item.state === 'uploading');
  const failedFiles = tray.some((item) => item.state === 'failed');
  const canSend = (trimmed.length > 0 || tray.length > 0) && !tooLong && !uploading && !failedFiles;
  const waitNote = uploading
    ? 'Send is available once the files are uploaded.'
    : failedFiles
      ? 'To send, retry or remove the files that could not be uploaded.'
      : undefined;
  const describedBy =
    [tooLong && 'composer-too-long', waitNote && 'composer-files-note'].filter(Boolean).join(' ') ||
    undefined;

  function update(value: string) {
    setText(value);
    if (value) drafts.set(conversationId, value);
    else drafts.delete(conversationId);
    if (value.trim()) typing.onInput();
    else typing.stop();
  }

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    send(trimmed, uploads.take(conversationId), replyingTo);
    replies.cancel(conversationId);
    update('');
    typing.stop();
    field.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && replyingTo) {
      event.preventDefault();
      replies.cancel(conversationId);
    }
  }

  return (
    <form
      onSubmit={submit}
      className="flex items-end gap-2 border-t border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900"
    >
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        aria-label="Files to attach"
        onChange={(event) => {
          uploads.add(conversationId, [...(event.target.files ?? [])]);
          // The same file can be picked again after being removed.
          event.target.value = '';
          field.current?.focus();
        }}
      />
      <button
        type="button"
        onClick={() => picker.current?.click()}
        aria-label="Attach files"
        title="Attach files"
        className={`${iconButton} mb-0.5`}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="size-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M15.5 9.5l-5.8 5.8a3.5 3.5 0 01-5-5L11 4a2.3 2.3 0 013.3 3.3l-6.3 6.3a1.2 1.2 0 01-1.7-1.7L12 6.2" />
        </svg>
      </button>
      <div className="min-w-0 flex-1">
        {replyingTo && (
          <ReplyBar
            quote={replyingTo}
            onCancel={() => {
              replies.cancel(conversationId);
              field.current?.focus();
            }}
          />
        )}
        <AttachmentTray items={tray} />
        {trayNotice && (
          <p role="alert" className="mb-1 px-2 text-xs text-red-700 dark:text-red-300">
            {trayNotice}
          </p>
        )}
        <label htmlFor="composer" className="sr-only">
          Message
        </label>
        <textarea
          id="composer"
          ref={field}
          rows={1}
          value={text}
          onChange={(event) => update(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={typing.stop}
          placeholder="Write a message…"
          aria-invalid={tooLong || undefined}
          aria-describedby={describedBy}
          autoFocus
          className={`field-sizing-content block max-h-40 min-h-10 w-full resize-none rounded-2xl border border-slate-300 bg-slate-50 px-4 py-2 text-slate-900 placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 aria-invalid:border-red-500 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100 ${focusRing}`}
        />
        {tooLong && (
          <p id="composer-too-long" className="mt-1 px-2 text-xs text-red-600 dark:text-red-400">
            {trimmed.length - MAX_CONTENT_CHARS} characters over the {MAX_CONTENT_CHARS}-character
            limit.
          </p>
        )}
        {waitNote && (
          <p
            id="composer-files-note"
            className="mt-1 px-2 text-xs text-slate-600 dark:text-slate-400"
          >
            {waitNote}
          </p>
        )}
      </div>
      <button
        type="submit"
        disabled={!canSend}
        aria-describedby={waitNote ? 'composer-files-note' : undefined}
        className={`${primaryButton} h-10 rounded-full`}
      >
        Send
      </button>
    </form>
  );
}
