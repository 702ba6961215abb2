interface CountBadgeProps {
  count: number;
  className: string;
  testId: string;
}

/** A pill with a count ("99+" above 99) that screen readers hear as ", N unread". */
export function CountBadge({ count, className, testId }: CountBadgeProps) {
  if (count <= 0) return null;
  return (
    <span data-testid={testId} className={className}>
      <span className="sr-only">, </span>
      {count > 99 ? '99+' : count}
      <span className="sr-only"> unread</span>
    </span>
  );
}
