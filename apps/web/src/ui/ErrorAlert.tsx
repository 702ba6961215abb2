interface ErrorAlertProps {
  message: string;
}

/** An error banner announced to assistive technology as soon as it appears. */
export function ErrorAlert({ message }: ErrorAlertProps) {
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200"
    >
      {message}
    </div>
  );
}
