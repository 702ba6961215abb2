import { ErrorAlert } from './ErrorAlert';
import { secondaryButton } from './styles';

interface ErrorStateProps {
  message: string;
  onRetry?: () => void;
}

/** An error with a "Try again" action. */
export function ErrorState({ message, onRetry }: ErrorStateProps) {
  return (
    <div className="space-y-3 p-4">
      <ErrorAlert message={message} />
      {onRetry && (
        <button type="button" onClick={onRetry} className={secondaryButton}>
          Try again
        </button>
      )}
    </div>
  );
}
