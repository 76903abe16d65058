import { describe, expect, it } from 'vitest';
import { extractCode } from '../../../shared/domain/inbox/extract-code';
import { findEmailSpans, findUrlSpans, selectLinks } from '../../../shared/domain/inbox/links';
import { MAX_LINKS } from '../../../shared/domain/inbox/types';

function spanTexts(text: string): string[] {
  return findUrlSpans(text).map((s) => text.slice(s.start, s.end));
}

describe('findUrlSpans', () => {
  it('finds URLs with a scheme, with www. and bare host/path forms', () => {
    const text = 'Go to https://a.example/x?y=1, www.b.example or v.whatsapp.com/105876 now.';

    const found = spanTexts(text);

    expect(found).toEqual(['https://a.example/x?y=1', 'www.b.example', 'v.whatsapp.com/105876']);
  });

  it('trims trailing punctuation but keeps balanced parentheses', () => {
    const text = 'See (https://a.example/x). And https://w.example/wiki/A_(b).';

    const found = spanTexts(text);

    expect(found).toEqual(['https://a.example/x', 'https://w.example/wiki/A_(b)']);
  });

  it('does not take a sentence end or a decimal number for a domain', () => {
    const found = spanTexts('Your code is 123456.Do not share. Total 12.50/month');

    expect(found).toEqual([]);
  });
});

describe('findEmailSpans', () => {
  it('finds e-mail addresses and nothing else', () => {
    const text = 'Contact login@plaid.com or a.b+c@mail.example.org, not @handle or x@y';

    const spans = findEmailSpans(text).map((s) => text.slice(s.start, s.end));

    expect(spans).toEqual(['login@plaid.com', 'a.b+c@mail.example.org']);
  });
});

describe('selectLinks', () => {
  it('keeps verification and sign-in links and drops the others', () => {
    const text =
      'Sign in: https://app.example/magic?token=abc\n' +
      'Our blog: https://blog.example/post\n' +
      'Unsubscribe https://app.example/unsubscribe?u=1\n' +
      'Tap to verify your device: v.whatsapp.com/105876';

    const links = selectLinks(text, findUrlSpans(text));

    expect(links).toEqual([
      { url: 'https://app.example/magic?token=abc', host: 'app.example' },
      { url: 'https://v.whatsapp.com/105876', host: 'v.whatsapp.com' },
    ]);
  });

  it('ranks links whose URL says login or verify before links that only sit near such words', () => {
    const text = 'Log in here https://a.example/home and https://b.example/auth/callback?code=x';

    const links = selectLinks(text, findUrlSpans(text));

    expect(links.map((l) => l.host)).toEqual(['b.example', 'a.example']);
  });

  it('never returns more than MAX_LINKS links and no duplicates', () => {
    const text = Array.from({ length: 20 }, (_, i) => `verify https://x${i % 8}.example/verify`).join('\n');

    const links = selectLinks(text, findUrlSpans(text));

    expect(links).toHaveLength(MAX_LINKS);
    expect(new Set(links.map((l) => l.url)).size).toBe(MAX_LINKS);
  });

  it('ignores URLs that are not http(s)', () => {
    const text = 'Verify: ftp://files.example/verify and javascript:verify()';

    const links = selectLinks(text, findUrlSpans(text));

    expect(links).toEqual([]);
  });
});

describe('extractCode links', () => {
  it('returns the verification link of an SMS next to its code', () => {
    const text =
      'Your WhatsApp code is 105-876 but you can simply tap on this link to verify your device: v.whatsapp.com/105876';

    const result = extractCode({ channel: 'sms', text });

    expect(result.code).toBe('105876');
    expect(result.links).toEqual([{ url: 'https://v.whatsapp.com/105876', host: 'v.whatsapp.com' }]);
  });

  it('merges the links of the text and HTML parts of an e-mail without duplicates', () => {
    const url = 'https://app.example/login?token=abc';
    const result = extractCode({
      channel: 'email',
      subject: 'Sign in',
      text: `Sign in with this link: ${url}`,
      html: `<a href="${url}">Sign in</a> <a href="https://app.example/verify?t=2">Verify</a>`,
    });

    expect(result.links.map((l) => l.url)).toEqual([url, 'https://app.example/verify?t=2']);
  });
});
