import type { DestinationStream } from 'pino';

/**
 * LOG_FORMAT=pretty: each pino line as a sentence for a person at a terminal — `warning: JOINT_CHAT_ID is not
 * set: …` — instead of JSON. pino-pretty is not a dependency, and a log here is one message and a few fields, so
 * a small destination that prints `msg` and the fields the message does not already say is all it takes.
 * The server and LOG_FORMAT=json keep pino's JSON lines, for log collectors.
 */
export function sentenceDestination(out: NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => void out.write(toSentence(line)) };
}

const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** One pino JSON line → `[error: |warning: ]msg (field value, …)\n`. Anything that is not JSON passes as is. */
export function toSentence(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : line + '\n';
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const prefix = level >= 50 ? 'error: ' : level >= 40 ? 'warning: ' : '';
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const fields = Object.entries(record)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => fieldText(key, value, msg))
    .filter((f): f is string => f !== null);
  return `${prefix}${msg}${fields.length ? ` (${fields.join(', ')})` : ''}\n`;
}

function fieldText(key: string, value: unknown, msg: string): string | null {
  if (value === null || value === undefined) return null;
  // pino's error serializer: the message is what a person needs; the stack is for the JSON logs.
  if (typeof value === 'object' && !Array.isArray(value) && 'message' in value)
    return `${key}: ${String((value as { message: unknown }).message)}`;
  if (Array.isArray(value)) {
    const items = value.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
    if (items.length === 0 || items.every((v) => msg.includes(v))) return null;
    return `${key}: ${items.slice(0, 10).join(', ')}${items.length > 10 ? ', …' : ''}`;
  }
  if (typeof value === 'object') {
    const json = JSON.stringify(value);
    return json.length <= 120 ? `${key}: ${json}` : null;
  }
  const text = String(value);
  if (msg.includes(text)) return null;
  return `${key}: ${text.length > 200 ? text.slice(0, 200) + '…' : text}`;
}
