/** A document outline with the file's extension on it (decorative: the name is beside it). */
export function FileIcon({ name, className = 'size-10' }: { name: string; className?: string }) {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : '';
  return (
    <span aria-hidden="true" className={`relative inline-flex shrink-0 ${className}`}>
      <svg
        viewBox="0 0 40 40"
        className="size-full"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
      >
        <path d="M10 4h14l8 8v24H10z" strokeLinejoin="round" />
        <path d="M24 4v8h8" strokeLinejoin="round" />
      </svg>
      {extension && (
        <span className="absolute inset-x-0 bottom-2 text-center text-[0.5rem] leading-none font-bold tracking-tight">
          {extension}
        </span>
      )}
    </span>
  );
}
