import type { DeliveryState } from './types';

const labels: Record<Exclude<DeliveryState, 'failed'>, string> = {
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

/** The state of one of my messages: a small icon with the label "Sending"/"Sent"/"Delivered"/"Read". */
export function MessageStatus({ state }: { state: Exclude<DeliveryState, 'failed'> }) {
  const label = labels[state];
  return (
    <span
      role="img"
      aria-label={label}
      title={label}
      data-state={state}
      className={`inline-flex items-center text-xs leading-none ${state === 'read' ? 'text-emerald-300' : 'text-indigo-100/80'}`}
    >
      {state === 'sending' ? (
        <svg
          aria-hidden="true"
          viewBox="0 0 16 16"
          className="size-3.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        >
          <circle cx="8" cy="8" r="6" />
          <path d="M8 4.5V8l2.5 1.5" strokeLinecap="round" />
        </svg>
      ) : (
        <svg
          aria-hidden="true"
          viewBox="0 0 20 16"
          className="h-3.5 w-4.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M1.5 8.5l3.5 3.5 7-8" />
          {state !== 'sent' && <path d="M8 12l7-8" />}
        </svg>
      )}
    </span>
  );
}
