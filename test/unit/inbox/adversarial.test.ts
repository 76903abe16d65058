import { describe, expect, it } from 'vitest';
import { extractCode } from '../../../shared/domain/inbox/extract-code';
import { htmlToText } from '../../../shared/domain/inbox/html-to-text';
import { MAX_HTML_CHARS, MAX_LINKS, MAX_TEXT_CHARS } from '../../../shared/domain/inbox/types';

// Hostile 64 KB texts and 1 MB HTML bodies: the answers must stay correct and bounded. Time is measured by
// the benchmark (bench/otp.ts), not here: shared machines are too noisy for timed assertions.
const KB64 = 64 * 1024;
const MB1 = 1024 * 1024;

function fill(unit: string, size = KB64): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

describe('extractCode on adversarial 64 KB texts', () => {
  it.each([
    ['one long digit run', '7'.repeat(KB64)],
    ['digit groups that look like a phone number', fill('123 ')],
    ['a separator storm', fill('1-')],
    ['a decimal storm', fill('1.')],
    ['an @ storm', '@'.repeat(KB64)],
    ['a # storm', '#'.repeat(KB64)],
    ['a storm of code words without a code', fill('code ')],
    ['a storm of e-mail addresses', fill('a1@b2.co ')],
    ['a line without spaces', 'x'.repeat(KB64)],
    ['single characters without digits', fill('a b ')],
    ['line breaks only', '\n'.repeat(KB64)],
    ['emoji and lone surrogates', fill('😀\ud800')],
  ])('finds no code in %s', (_what, text) => {
    const result = extractCode({ channel: 'sms', text });

    expect(result).toEqual({ code: null, kind: null, confidence: 0, links: [] });
  });

  it.each([
    ['a storm of code words and codes', fill('code: 123456 '), '123456'],
    ['a storm of CJK code words and codes', fill('验证码123456，'), '123456'],
    ['a storm of G- codes', fill('Google code G-123456 '), '123456'],
    ['a storm of @host #code markers', `${fill('@a.bc #123456 ', KB64 - 100)}\nthanks`, '123456'],
  ])('finds the repeated code in %s', (_what, text, code) => {
    const result = extractCode({ channel: 'sms', text });

    expect(result.code).toBe(code);
  });

  it('finds an origin-bound line at the end of a 64 KB storm', () => {
    const text = `${'@'.repeat(KB64 - 40)}\n@example.com #123456`;

    const result = extractCode({ channel: 'sms', text });

    expect(result).toMatchObject({ code: '123456', kind: 'origin_bound', origin: { host: 'example.com' } });
  });

  it('returns at most MAX_LINKS links from a storm of sign-in URLs', () => {
    const text = fill('Sign in: https://a.example/login?t=1 https://b.example/verify?t=2 ');

    const result = extractCode({ channel: 'sms', text });

    expect(result.links.length).toBeGreaterThan(0);
    expect(result.links.length).toBeLessThanOrEqual(MAX_LINKS);
  });

  it('reads only the first MAX_TEXT_CHARS characters of a text', () => {
    const padding = fill('lorem ipsum ', MAX_TEXT_CHARS);
    const before = extractCode({ channel: 'sms', text: `Your code is 482913. ${padding}` });
    const after = extractCode({ channel: 'sms', text: `${padding} Your code is 482913.` });

    expect(before.code).toBe('482913');
    expect(after.code).toBeNull();
  });

  it('reads only the first MAX_HTML_CHARS characters of an HTML body', () => {
    const padding = `<div hidden>${'x'.repeat(MAX_HTML_CHARS)}</div>`;

    const result = extractCode({ channel: 'email', text: '', html: `${padding}<p>Your code is 482913</p>` });

    expect(result.code).toBeNull();
  });
});

describe('htmlToText on adversarial 1 MB bodies', () => {
  it.each([
    ['deeply nested elements', fill('<div>', MB1 / 2) + fill('</div>', MB1 / 2), ''],
    ['nested hidden elements', fill('<span style="display:none">x', MB1), ''],
    ['a < storm', '<'.repeat(MB1), null],
    ['an entity storm', fill('&amp;', MB1), null],
    ['an unclosed comment', `<p>a</p><!--${'-'.repeat(MB1)}`, 'a'],
    ['an unterminated script', `<p>a</p><script>${'x'.repeat(MB1)}`, 'a'],
    ['an unterminated attribute', `<p>a</p><a href="${'x'.repeat(MB1)}`, 'a'],
  ])('returns bounded text for %s', (_what, html, expected) => {
    const { text, links } = htmlToText(html);

    expect(text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(links).toEqual([]);
    if (expected !== null) expect(text).toBe(expected);
  });

  it('finds a code after deep nesting', () => {
    const html = `${'<div>'.repeat(50_000)}<p>Your verification code is 482913</p>${'</div>'.repeat(50_000)}`;

    const result = extractCode({ channel: 'email', text: '', html });

    expect(result.code).toBe('482913');
  });
});
