/**
 * Where a message's time goes (`--tracing`; idle and group steps): each message is matched to its trace
 * (the gateway's `chat.send` span that started between the send and its answer), and
 * the report shows the spans of the median and of the slowest message on one timeline, from
 * the client's send to the (last) recipient's `message.new`, plus each span's median over all
 * of them.
 * Every process runs on this machine, so their clocks agree.
 */
import type { ReceivedSpan } from '../support/otlp-receiver.js';
import type { TracedSample } from './steps/send.js';
import { summarize } from './stats.js';

interface TracedMessage {
  sample: TracedSample;
  spans: ReceivedSpan[];
}

const ROOT = 'chat.send';

export function describeTraces(
  what: string,
  spans: readonly ReceivedSpan[],
  samples: TracedSample[],
): string[] {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list) list.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  const roots = spans.filter((s) => s.name === ROOT && s.parentSpanId === '');
  const traced: TracedMessage[] = [];
  for (const sample of samples) {
    const root = roots.find((r) => r.startMs >= sample.sentMs - 1 && r.startMs <= sample.ackMs);
    if (root) traced.push({ sample, spans: byTrace.get(root.traceId)! });
  }
  if (traced.length === 0)
    return [`no trace matched the ${samples.length} ${what} messages (${spans.length} spans kept)`];
  const total = (t: TracedMessage) => t.sample.deliveredMs - t.sample.sentMs;
  traced.sort((a, b) => total(a) - total(b));
  const lines = [`${traced.length} of ${samples.length} ${what} messages matched to their traces`];
  lines.push(...timeline('median message', traced[Math.floor((traced.length - 1) / 2)]!));
  lines.push(...timeline('slowest message', traced[traced.length - 1]!));
  lines.push(...medians(traced));
  return lines;
}

const ms = (x: number) => x.toFixed(1).padStart(7);

function timeline(title: string, { sample, spans }: TracedMessage): string[] {
  const t0 = sample.sentMs;
  const rows = [...spans]
    .sort((a, b) => a.startMs - b.startMs)
    .map((s) => ({
      at: s.startMs - t0,
      text: `${s.service.padEnd(14)} ${s.name} (${(s.endMs - s.startMs).toFixed(1)} ms)`,
    }));
  rows.push({ at: sample.ackMs - t0, text: 'client has the answer' });
  if (sample.firstMs !== undefined && sample.firstMs < sample.deliveredMs)
    rows.push({ at: sample.firstMs - t0, text: 'first recipient has message.new' });
  rows.push({ at: sample.deliveredMs - t0, text: 'last recipient has message.new' });
  rows.sort((a, b) => a.at - b.at);
  return [
    `${title}: ${(sample.deliveredMs - t0).toFixed(1)} ms send → last recipient (ms after the send, span duration)`,
    `  ${ms(0)}  client sends`,
    ...rows.map((r) => `  ${ms(r.at)}  ${r.text}`),
  ];
}

/** Each (service, span name): median start after the send and median duration. */
function medians(traced: TracedMessage[]): string[] {
  const starts = new Map<string, number[]>();
  const durations = new Map<string, number[]>();
  for (const { sample, spans } of traced) {
    const seen = new Set<string>();
    for (const s of spans) {
      const key = `${s.service.padEnd(14)} ${s.name}`;
      // A span repeated in one trace (several Redis commands) counts its first only.
      if (seen.has(key)) continue;
      seen.add(key);
      (starts.get(key) ?? starts.set(key, []).get(key)!).push(s.startMs - sample.sentMs);
      (durations.get(key) ?? durations.set(key, []).get(key)!).push(s.endMs - s.startMs);
    }
  }
  const rows = [...starts.entries()]
    .map(([key, list]) => ({
      key,
      start: summarize(list).p50 ?? 0,
      duration: summarize(durations.get(key)!).p50 ?? 0,
      n: list.length,
    }))
    .sort((a, b) => a.start - b.start);
  const delivered = summarize(traced.map((t) => t.sample.deliveredMs - t.sample.sentMs)).p50 ?? 0;
  return [
    `medians over ${traced.length} messages (start after the send, duration, in how many traces)`,
    ...rows.map((r) => `  ${ms(r.start)} ${ms(r.duration)}  ${r.key} (${r.n})`),
    `  ${ms(delivered)}           last recipient has message.new`,
  ];
}
