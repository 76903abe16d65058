import { beforeEach } from 'vitest';

/**
 * `npm test` stays quiet on green: structured log lines (Powertools JSON, EMF metrics) written during a
 * test are held back and printed only if that test fails. Everything else goes through untouched.
 */
const held: Array<{ stream: NodeJS.WriteStream; chunk: string }> = [];
const looksLikeLog = (text: string) =>
  /^\s*\{"(level|_aws|cold_start|timestamp|message)"/.test(text) ||
  /"level":"(DEBUG|INFO|WARN|ERROR|CRITICAL)"/.test(text);

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!looksLikeLog(text)) return original(chunk, ...rest);
    held.push({ stream, chunk: text });
    if (held.length > 5_000) held.shift();
    return true;
  }) as typeof stream.write;
  (stream as unknown as { writeThrough: typeof original }).writeThrough = original;
}

beforeEach(({ onTestFailed }) => {
  held.length = 0;
  onTestFailed(() => {
    for (const { stream, chunk } of held.splice(0)) {
      (stream as unknown as { writeThrough(chunk: string): boolean }).writeThrough(chunk);
    }
  });
});
