import { linkify } from './linkify';

/**
 * Message content as text nodes only (React escapes them; nothing is parsed as HTML).
 * http(s) URLs become links that open in a new tab without access to this page.
 */
export function MessageText({ content }: { content: string }) {
  return (
    <p className="break-words whitespace-pre-wrap">
      {linkify(content).map((part, index) =>
        part.kind === 'link' ? (
          <a
            key={index}
            href={part.href}
            target="_blank"
            rel="noopener noreferrer"
            className="underline decoration-1 underline-offset-2 hover:decoration-2"
          >
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </p>
  );
}
