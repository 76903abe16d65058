// `npm run --silent otp:extract < messages.jsonl`: the extraction engine over a corpus, one JSON line out per
// JSON line in. Input objects are `{"channel", "text", "subject"?, "html"?}`; every other field is passed
// through, and `code`, `kind`, `confidence`, `origin` (origin-bound only) and `links` are added (replacing
// input fields of the same names). Lines that are not JSON objects yield `{"error": "...", "line": n}` and
// processing continues; blank lines are skipped. Line numbers count from 1 and include blank lines.

import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';
import { extractCode } from '../shared/domain/inbox/extract-code';

/** Longer lines are answered with `line_too_long` without being parsed (inputs are capped anyway). */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

export type LineError = 'invalid_json' | 'invalid_input' | 'line_too_long';

function errorLine(error: LineError, line: number): string {
  return JSON.stringify({ error, line });
}

/** The output line for one input line, or null for a blank line. */
export function processLine(line: string, lineNumber: number): string | null {
  if (line.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return errorLine('invalid_json', lineNumber);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return errorLine('invalid_input', lineNumber);
  }
  const record = parsed as Record<string, unknown>;
  const extraction = extractCode({
    channel: record.channel === 'email' ? 'email' : 'sms',
    text: typeof record.text === 'string' ? record.text : '',
    ...(typeof record.subject === 'string' ? { subject: record.subject } : {}),
    ...(typeof record.html === 'string' ? { html: record.html } : {}),
  });
  const out: Record<string, unknown> = { ...record };
  // Output fields replace input fields of the same name; `origin` is absent unless origin-bound.
  for (const key of ['code', 'kind', 'confidence', 'origin', 'links']) delete out[key];
  out.code = extraction.code;
  out.kind = extraction.kind;
  out.confidence = extraction.confidence;
  if (extraction.origin !== undefined) out.origin = extraction.origin;
  out.links = extraction.links;
  return JSON.stringify(out);
}

export type Writer = (chunk: string) => Promise<void>;

/** Write to stdout, waiting for the pipe to drain when it is full. */
const stdoutWriter: Writer = async (chunk) => {
  if (!process.stdout.write(chunk))
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
};

/** Split the input on LF (a trailing CR is dropped), bounded per line, and answer each line in order. */
export async function run(
  input: AsyncIterable<Buffer | string>,
  write: Writer = stdoutWriter,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 0;
  let tooLong = false;
  const finish = async (line: string): Promise<void> => {
    lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const out = tooLong ? errorLine('line_too_long', lineNumber) : processLine(text, lineNumber);
    tooLong = false;
    if (out !== null) await write(`${out}\n`);
  };
  const take = async (chunk: string): Promise<void> => {
    let from = 0;
    for (let nl = chunk.indexOf('\n', from); nl >= 0; nl = chunk.indexOf('\n', from)) {
      const piece = chunk.slice(from, nl);
      from = nl + 1;
      if (!tooLong && pending.length + piece.length > MAX_LINE_CHARS) tooLong = true;
      await finish(tooLong ? '' : pending + piece);
      pending = '';
    }
    const rest = chunk.slice(from);
    if (tooLong) return;
    if (pending.length + rest.length > MAX_LINE_CHARS) {
      tooLong = true;
      pending = '';
    } else pending += rest;
  };
  for await (const chunk of input) await take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  await take(decoder.end());
  if (pending !== '' || tooLong) await finish(pending);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.stdin);
}
