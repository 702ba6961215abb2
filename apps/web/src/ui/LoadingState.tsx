import { Spinner } from './Spinner';
import { mutedText } from './styles';

/** "Loading …" placeholder. Not a live region: the app keeps role=status for the connection. */
export function LoadingState({ label, className = '' }: { label: string; className?: string }) {
  return (
    <p
      aria-busy="true"
      className={`flex items-center justify-center gap-2 p-6 text-sm ${mutedText} ${className}`}
    >
      <Spinner />
      {label}
    </p>
  );
}
