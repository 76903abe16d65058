import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, processLine, run } from '../../../scripts/otp-extract';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function parseLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

async function collect(input: AsyncIterable<string>): Promise<string> {
  let out = '';
  await run(input, async (chunk) => {
    out += chunk;
  });
  return out;
}

describe('scripts/otp-extract.ts (child process)', () => {
  it('answers one JSON line per input line, passing other fields through and reporting bad lines', () => {
    const stdin = [
      JSON.stringify({ id: 'a', channel: 'sms', text: 'Your verification code is 482913', lang: 'en' }),
      '{not json',
      '',
      JSON.stringify({ id: 'b', channel: 'sms', text: 'code\n\n@example.com #747723 @shop.example' }),
      '[1, 2]',
      JSON.stringify({ id: 'c', channel: 'email', subject: 'Hi', text: '', html: '<p>Nothing here</p>' }),
    ].join('\n');

    const child = spawnSync('npx', ['--no-install', 'tsx', 'scripts/otp-extract.ts'], {
      cwd: ROOT,
      input: stdin,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(child.status).toBe(0);
    expect(parseLines(child.stdout)).toEqual([
      {
        id: 'a',
        channel: 'sms',
        text: 'Your verification code is 482913',
        lang: 'en',
        code: '482913',
        kind: 'keyword',
        confidence: expect.any(Number),
        links: [],
      },
      { error: 'invalid_json', line: 2 },
      {
        id: 'b',
        channel: 'sms',
        text: 'code\n\n@example.com #747723 @shop.example',
        code: '747723',
        kind: 'origin_bound',
        confidence: 0.99,
        origin: { host: 'example.com', embeddedHost: 'shop.example' },
        links: [],
      },
      { error: 'invalid_input', line: 5 },
      {
        id: 'c',
        channel: 'email',
        subject: 'Hi',
        text: '',
        html: '<p>Nothing here</p>',
        code: null,
        kind: null,
        confidence: 0,
        links: [],
      },
    ]);
  }, 90_000);
});

describe('otp-extract run()', () => {
  it('handles CRLF line endings, lines split across chunks and a last line without a newline', async () => {
    const line1 = JSON.stringify({ text: 'Your code is 111111' });
    const line2 = JSON.stringify({ text: 'Your code is 222222' });

    const out = await collect(chunks(`${line1.slice(0, 10)}`, `${line1.slice(10)}\r\n`, line2));

    expect(parseLines(out).map((l) => l.code)).toEqual(['111111', '222222']);
  });

  it('answers line_too_long for an oversized line and carries on with the next one', async () => {
    const huge = 'x'.repeat(MAX_LINE_CHARS + 1);
    const next = JSON.stringify({ text: 'Your code is 333333' });

    const out = await collect(chunks(huge.slice(0, 100), huge.slice(100), '\n', next, '\n'));

    expect(parseLines(out)).toEqual([
      { error: 'line_too_long', line: 1 },
      {
        text: 'Your code is 333333',
        code: '333333',
        kind: 'keyword',
        confidence: expect.any(Number),
        links: [],
      },
    ]);
  });

  it('replaces input fields named like the output fields', () => {
    const out = processLine(JSON.stringify({ text: 'nothing', code: 'stale', origin: 'x', links: 3 }), 1);

    expect(JSON.parse(out ?? '')).toEqual({
      text: 'nothing',
      code: null,
      kind: null,
      confidence: 0,
      links: [],
    });
  });

  it('treats a missing channel as SMS and a non-string text as empty', () => {
    const missing = processLine(JSON.stringify({ text: 'Your code is 482913' }), 1);
    const numeric = processLine(JSON.stringify({ channel: 'sms', text: 482913 }), 2);

    expect(JSON.parse(missing ?? '').code).toBe('482913');
    expect(JSON.parse(numeric ?? '').code).toBeNull();
  });
});
