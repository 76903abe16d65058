import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractCode, extractCodeTrace, normaliseCode } from '../../../shared/domain/inbox/extract-code';
import { htmlToText } from '../../../shared/domain/inbox/html-to-text';
import { parseOriginBound, parseOriginBoundLenient } from '../../../shared/domain/inbox/origin-bound';
import {
  type Extraction,
  type ExtractionInput,
  MAX_LINKS,
  MAX_TEXT_CHARS,
} from '../../../shared/domain/inbox/types';
import { runs } from '../../support/property-runs';

// Fragments that exercise every scanner: code words in several scripts, digit groups and separators,
// origin-bound sigils, app-hash markers, URLs, currency and dates, CJK runs, line breaks, odd Unicode.
const FRAGMENTS = [
  'code',
  'Code:',
  'OTP',
  'PIN',
  'TAN',
  'password',
  'is',
  'your',
  'verification',
  'promo',
  'order',
  'call',
  'card ending',
  'INR',
  '$',
  '€',
  '%',
  'G-',
  'FB-',
  '验证码',
  '認証番号：',
  '인증번호',
  'код',
  'קוד',
  'کد',
  'Mã OTP',
  'Doğrulama Kodu',
  'Verifizierungscode',
  '123456',
  '123 456',
  '105-876',
  '1,499.00',
  '10:45',
  '01-01-2001',
  '(888) 888-8888',
  '+1',
  '۴۸۲۹۱۳',
  'ABC4',
  'CWGUG8',
  'DJZ-TLX',
  'a u 8 k u f',
  '@example.com',
  '#747723',
  ' @',
  ' #',
  '%apple.com',
  '<#>',
  '[#]',
  'FA+9qCX9VSu',
  'https://x.example/login?token=1',
  'v.example/123',
  'a@b.example',
  '.',
  ',',
  ':',
  '-',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  '\u00a0',
  '\u200b',
  '😀',
  '\ud800',
  'é',
  'İ',
];

const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.nat({ max: 99_999_999 }).map(String) },
);
const message = fc.array(fragment, { maxLength: 24 }).map((parts) => parts.join(''));
const input: fc.Arbitrary<ExtractionInput> = fc.oneof(
  message.map((text) => ({ channel: 'sms' as const, text })),
  fc
    .record({
      channel: fc.constant('email' as const),
      text: message,
      subject: message,
      html: fc.array(
        fc.oneof(fragment, fc.constantFrom('<p>', '</p>', '<br>', '<div hidden>', '</div>', '&amp;')),
        {
          maxLength: 16,
        },
      ),
    })
    .map((r) => ({ ...r, html: r.html.join('') })),
);

/** HTML whitespace collapsing, written independently of the implementation under test. */
function collapseLikeHtml(raw: string): string {
  const spaces = new Set([' ', '\t', '\n', '\f', '\r', '\u00a0', '\u200b', '\ufeff', '\u034f', '\u2007']);
  const words: string[] = [];
  let word = '';
  for (const ch of raw) {
    if (spaces.has(ch)) {
      if (word !== '') words.push(word);
      word = '';
    } else word += ch;
  }
  if (word !== '') words.push(word);
  return words.join(' ');
}

function wellFormed(result: Extraction): boolean {
  const codeAndKind = (result.code === null) === (result.kind === null);
  const confidence =
    result.code === null ? result.confidence === 0 : result.confidence > 0 && result.confidence <= 1;
  const origin = result.origin === undefined || result.kind === 'origin_bound';
  const links =
    result.links.length <= MAX_LINKS &&
    result.links.every((l) => typeof l.url === 'string' && l.host !== '' && l.url.includes(l.host));
  return codeAndKind && confidence && origin && links;
}

describe('extractCode properties', () => {
  it('never throws and always answers a well-formed extraction', () => {
    fc.assert(
      fc.property(input, (i) => {
        const result = extractCode(i);

        expect(wellFormed(result)).toBe(true);
      }),
      { numRuns: runs(30_000) },
    );
  });

  it('never throws on arbitrary values in place of the input', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = extractCode(value as ExtractionInput);

        expect(wellFormed(result)).toBe(true);
      }),
      { numRuns: runs(5_000) },
    );
  });

  it('is deterministic, including when other messages are extracted in between', () => {
    fc.assert(
      fc.property(input, input, (a, b) => {
        const first = extractCode(a);
        extractCode(b);
        const again = extractCode(a);

        expect(again).toEqual(first);
      }),
      { numRuns: runs(12_000) },
    );
  });

  it('reports a raw code that is a substring of the field it came from, and the code is its normal form', () => {
    let codes = 0;
    fc.assert(
      fc.property(input, (i) => {
        const trace = extractCodeTrace(i);
        if (trace.rawCode === null) {
          expect(trace.extraction.code).toBeNull();
          return;
        }
        codes++;
        const field =
          trace.source === 'subject'
            ? (i.subject ?? '')
            : trace.source === 'html'
              ? htmlToText(i.html ?? '').text
              : i.text;

        expect(field.includes(trace.rawCode)).toBe(true);
        expect(normaliseCode(trace.rawCode)).toBe(trace.extraction.code);
      }),
      { numRuns: runs(30_000) },
    );
    // The generator must actually produce codes for the property to mean something.
    expect(codes).toBeGreaterThan(runs(3_000));
  });
});

describe('origin-bound parser properties', () => {
  it('never throws, and whatever the spec parse accepts the lenient parse accepts the same way', () => {
    let accepted = 0;
    const host = fc.constantFrom(
      'example.com',
      'EXAMPLE.org',
      'a.b',
      'localhost',
      '127.0.0.1',
      'ex_ample.com',
      '例え.jp',
      '',
    );
    const code = fc.oneof(
      fc.constantFrom('747723', '747-723', 'ABC', '', '7477😀'),
      fc.string({ maxLength: 6 }),
    );
    const gap = fc.constantFrom(' ', '  ', '\t', '');
    const tail = fc.constantFrom('', ' @shop.example', ' %shop.example', ' $future', ' ', '\n', '.');
    const originLine = fc
      .tuple(
        fc.array(fragment, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n', '\r', ''),
        host,
        gap,
        code,
        tail,
      )
      .map(([before, nl, h, g, c, t]) => `${before.join('')}${nl}@${h}${g}#${c}${t}`);
    fc.assert(
      fc.property(fc.oneof(message, originLine), (text) => {
        const strict = parseOriginBound(text);
        const lenient = parseOriginBoundLenient(text);

        if (strict !== null) {
          accepted++;
          expect(lenient).not.toBeNull();
          expect(lenient?.host).toBe(strict.host);
          expect(lenient?.code).toBe(strict.code);
          expect(text.slice(strict.codeStart, strict.codeEnd)).toBe(strict.code);
        }
      }),
      { numRuns: runs(13_000) },
    );
    expect(accepted).toBeGreaterThan(runs(100));
  });
});

describe('htmlToText properties', () => {
  it('never throws, stays within the text cap and collapses plain text like a browser', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (raw) => {
        const { text } = htmlToText(raw);

        expect(text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
        if (!raw.includes('<') && !raw.includes('&')) {
          expect(text).toBe(collapseLikeHtml(raw));
        }
      }),
      { numRuns: runs(10_000) },
    );
  });
});
