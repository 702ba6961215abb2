import { Dialog } from '../ui/Dialog';
import { dangerButton, secondaryButton } from '../ui/styles';

/** "Delete for everyone?": it cannot be undone, so it asks first (Cancel is focused). */
export function DeleteForEveryoneDialog({
  onConfirm,
  onClose,
}: {
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open onClose={onClose} title="Delete for everyone?">
      <p className="text-sm">
        Everyone in this conversation will see “This message was deleted” instead of it, and its
        files are removed. This cannot be undone.
      </p>
      <div className="mt-4 flex justify-end gap-2">
        <button type="button" onClick={onClose} className={secondaryButton} data-autofocus>
          Cancel
        </button>
        <button type="button" onClick={onConfirm} className={dangerButton}>
          Delete for everyone
        </button>
      </div>
    </Dialog>
  );
}
