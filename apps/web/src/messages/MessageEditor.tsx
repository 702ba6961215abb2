import { useId, useState, type KeyboardEvent } from 'react';
import { MAX_CONTENT_CHARS } from '@chat/contract/constants';
import { describeError } from '../auth/errors';
import { focusRing } from '../ui/styles';

interface MessageEditorProps {
  initial: string;
  /** Resolves once saved; a rejection keeps the editor open with the reason. */
  onSave: (content: string) => Promise<unknown>;
  onDone: () => void;
}

/** Editing my message in place: Enter saves, Shift+Enter a new line, Escape cancels. */
export function MessageEditor({ initial, onSave, onDone }: MessageEditorProps) {
  const [text, setText] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const errorId = useId();
  const trimmed = text.trim();
  const invalid = trimmed.length === 0 || trimmed.length > MAX_CONTENT_CHARS;

  function save() {
    if (saving || invalid) return;
    if (trimmed === initial.trim()) return onDone();
    setSaving(true);
    onSave(trimmed).then(onDone, (reason: unknown) => {
      setSaving(false);
      setError(describeError(reason, 'Could not save the change.'));
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onDone();
    }
  }

  return (
    <div className="w-72 max-w-full px-2 py-1.5">
      <textarea
        aria-label="Edit message"
        aria-invalid={invalid || undefined}
        aria-describedby={error ? errorId : undefined}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        disabled={saving}
        // Editing starts from a deliberate press of "Edit": the field takes the focus.
        autoFocus
        onFocus={(event) => {
          const length = event.currentTarget.value.length;
          event.currentTarget.setSelectionRange(length, length);
        }}
        className={`field-sizing-content block max-h-40 min-h-9 w-full resize-none rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 ${focusRing}`}
      />
      <p className="mt-1 flex items-center justify-end gap-2 text-[0.6875rem]">
        {error ? (
          <span id={errorId} role="alert" className="mr-auto font-semibold">
            {error}
          </span>
        ) : (
          <span className="mr-auto opacity-90">Enter to save, Escape to cancel</span>
        )}
        <button
          type="button"
          onClick={onDone}
          className={`rounded px-1.5 py-0.5 underline ${focusRing}`}
        >
          Cancel
        </button>
        <button
          type="button"
          onClick={save}
          disabled={saving || invalid}
          className={`rounded bg-white px-1.5 py-0.5 font-semibold text-indigo-700 disabled:opacity-60 ${focusRing}`}
        >
          Save
        </button>
      </p>
    </div>
  );
}
