/**
 * What the bot answers to a message, or null: `/echo <text>` → the text, `/time` → the
 * time, a bare mention of `@<username>` → a short help. A command may follow the mention.
 */
export function answerTo(content: string, username: string, now: Date): string | null {
  const mention = new RegExp(
    `^@${username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b[,:]?\\s*`,
    'i',
  );
  const mentioned = mention.test(content.trim());
  const text = content.trim().replace(mention, '');
  const echo = /^\/echo\s+([\s\S]+)$/.exec(text);
  if (echo?.[1]) return echo[1].trim();
  if (/^\/time\s*$/.test(text)) return `It is ${now.toISOString()}`;
  if (mentioned) return 'I answer /echo <text> and /time.';
  return null;
}
