import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CONTENT_CHARS } from '@chat/contract/constants';
import { focusRing, primaryButton } from '../ui/styles';
import { useSendMessage } from './useSendMessage';
import { useTypingSender } from './useTypingSender';

/** Unsent text per conversation, kept while switching between them. */
const drafts = new Map<string, string>();

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function Composer({ conversationId }: { conversationId: string }) {
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '');
  const field = useRef<HTMLTextAreaElement>(null);
  const { send } = useSendMessage(conversationId);
  const typing = useTypingSender(conversationId);

  const trimmed = text.trim();
  const tooLong = trimmed.length > MAX_CONTENT_CHARS;
  const canSend = trimmed.length > 0 && !tooLong;

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
    send(trimmed);
    update('');
    typing.stop();
    field.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form
      onSubmit={submit}
      className="flex items-end gap-2 border-t border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="min-w-0 flex-1">
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
          aria-describedby={tooLong ? 'composer-too-long' : undefined}
          autoFocus
          className={`field-sizing-content block max-h-40 min-h-10 w-full resize-none rounded-2xl border border-slate-300 bg-slate-50 px-4 py-2 text-slate-900 placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 aria-invalid:border-red-500 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100 ${focusRing}`}
        />
        {tooLong && (
          <p id="composer-too-long" className="mt-1 px-2 text-xs text-red-600 dark:text-red-400">
            {trimmed.length - MAX_CONTENT_CHARS} characters over the {MAX_CONTENT_CHARS}-character
            limit.
          </p>
        )}
      </div>
      <button type="submit" disabled={!canSend} className={`${primaryButton} h-10 rounded-full`}>
        Send
      </button>
    </form>
  );
}
