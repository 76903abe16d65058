import { describe, expect, it } from 'vitest';
import { extractCode } from '../../../shared/domain/inbox/extract-code';
import {
  findLooseOriginMarkers,
  findOriginBound,
  normaliseHost,
  parseOriginBound,
  parseOriginBoundLenient,
} from '../../../shared/domain/inbox/origin-bound';

// Section references are to "Origin-bound one-time codes delivered via SMS" (WICG): 3.1 Authoring (examples)
// and 3.2 Parsing (the normative steps).
describe('parseOriginBound (spec parsing steps)', () => {
  it('parses the spec example without an embedded host (3.1, first example)', () => {
    const message = '747723 is your ExampleCo authentication code.\n\n@example.com #747723';

    const parsed = parseOriginBound(message);

    expect(parsed).toMatchObject({ host: 'example.com', code: '747723', strict: true });
    expect(parsed?.embeddedHost).toBeUndefined();
    expect(message.slice(parsed?.codeStart, parsed?.codeEnd)).toBe('747723');
  });

  it('parses the spec example with an embedded host (3.1, second example)', () => {
    const message =
      '747723 is your ExampleCo authentication code.\n\n@example.com #747723 @ecommerce.example';

    const parsed = parseOriginBound(message);

    expect(parsed).toMatchObject({ host: 'example.com', code: '747723', embeddedHost: 'ecommerce.example' });
  });

  it('ignores trailing text after the fields (3.1, "$future" example)', () => {
    const parsed = parseOriginBound('@example.com #747723 @ecommerce.example $future');

    expect(parsed).toMatchObject({ host: 'example.com', code: '747723', embeddedHost: 'ecommerce.example' });
  });

  it('ignores trailing text that is not an embedded host', () => {
    const parsed = parseOriginBound('@example.com #747723 $future');

    expect(parsed).toMatchObject({ host: 'example.com', code: '747723' });
    expect(parsed?.embeddedHost).toBeUndefined();
  });

  it.each([
    ['the last line does not begin with @ (3.1 invalid example)', 'something @example.com #747723'],
    ['the fields are in the wrong order (3.1 invalid example)', '#747723 @example.com'],
    ['the fields are in the wrong order, older % form', '#747723 %ecommerce.example @example.com'],
    ['several characters separate the values (3.1 invalid example)', '@example.com code #747723'],
    ['no space separates host and code', '@example.com#12345'],
    ['two spaces separate host and code', '@example.com  #12345'],
    ['a tab separates host and code', '@example.com\t#12345'],
    ['a space follows the # sigil', '@example.com # 12345'],
    ['the message is only the @ sigil', '@'],
    ['there is no code', '@example.com'],
    ['the code is empty', '@example.com #'],
    ['the host is empty', '@ #12345'],
    ['the origin line is not the last line', '@example.com #747723\nthanks'],
    ['the last line is empty (trailing newline)', 'code\n@example.com #747723\n'],
    ['the message is empty', ''],
  ])('rejects a message where %s', (_why, message) => {
    const parsed = parseOriginBound(message);

    expect(parsed).toBeNull();
  });

  it.each([
    ['a scheme', '@https://example.com #123'],
    ['a path', '@example.com/path #123'],
    ['a port', '@example.com:8080 #123'],
    ['slashes', '@//example.com #123'],
    ['another scheme', '@ftp://example.com #123'],
    ['a mailto URL', '@mailto:goto@chromium.org #123'],
    ['an IPv4 address', '@127.0.0.1 #123'],
    ['an IPv6 address', '@[::1] #123'],
    ['an underscore', '@exa_mple.com #123'],
    ['a label starting with a hyphen', '@-example.com #123'],
    ['an empty label', '@example..com #123'],
  ])('rejects a top-level host with %s (hosts must be valid domains)', (_why, message) => {
    const parsed = parseOriginBound(message);

    expect(parsed).toBeNull();
  });

  it('rejects codes outside letters, digits and inner hyphens (stricter than the spec, on purpose)', () => {
    const emoji = parseOriginBound('@example.com #7477😀');
    const dotted = parseOriginBound('@example.com #747723.');

    expect(emoji).toBeNull();
    expect(dotted).toBeNull();
  });

  it('normalises newlines before taking the last line (CRLF and CR)', () => {
    const crlf = parseOriginBound('Your code\r\n@example.com #747723');
    const cr = parseOriginBound('Your code\r@example.com #747723');

    expect(crlf).toMatchObject({ host: 'example.com', code: '747723' });
    expect(cr).toMatchObject({ host: 'example.com', code: '747723' });
  });

  it('lower-cases hosts and converts internationalised hosts to ASCII', () => {
    const upper = parseOriginBound('@EXAMPLE.Com #1');
    const idn = parseOriginBound('@例え.jp #123456');

    expect(upper?.host).toBe('example.com');
    expect(idn?.host).toBe('xn--r8jz45g.jp');
  });

  it('keeps the message valid when the embedded host is unusable (the embedded origin is null)', () => {
    const emptyEmbedded = parseOriginBound('@example.com #747723 @');
    const badEmbedded = parseOriginBound('@example.com #747723 @bad_host');

    expect(emptyEmbedded).toMatchObject({ host: 'example.com', code: '747723' });
    expect(emptyEmbedded?.embeddedHost).toBeUndefined();
    expect(badEmbedded?.embeddedHost).toBeUndefined();
  });

  it('accepts hyphenated codes and localhost as a host', () => {
    const parsed = parseOriginBound('@localhost #747-723');

    expect(parsed).toMatchObject({ host: 'localhost', code: '747-723' });
  });
});

describe('parseOriginBoundLenient (Apple tolerance)', () => {
  it('accepts the Apple form: space after #, % embedded host, trailing space', () => {
    const message = 'Apple IDコードは次の通りです：737753。\n@apple.com # 737753 %apple.com ';

    const parsed = parseOriginBoundLenient(message);

    expect(parsed).toMatchObject({
      host: 'apple.com',
      code: '737753',
      embeddedHost: 'apple.com',
      strict: false,
    });
    expect(parseOriginBound(message)).toBeNull();
  });

  it('accepts trailing blank lines, extra spaces and punctuation after the code', () => {
    const parsed = parseOriginBoundLenient('Code below\n  @example.com   #123456.\n\n');

    expect(parsed).toMatchObject({ host: 'example.com', code: '123456' });
  });

  it('still rejects fields in the wrong order and invalid hosts', () => {
    const order = parseOriginBoundLenient('#747723 @example.com');
    const ip = parseOriginBoundLenient('@10.0.0.1 #747723');

    expect(order).toBeNull();
    expect(ip).toBeNull();
  });
});

describe('findOriginBound', () => {
  it('prefers the spec parse and adds an Apple % embedded host to it', () => {
    const parsed = findOriginBound('Your Apple ID Code is: 123456.\n\n@apple.com #123456 %apple.com');

    expect(parsed).toMatchObject({
      host: 'apple.com',
      code: '123456',
      embeddedHost: 'apple.com',
      strict: true,
    });
  });

  it('does not take %-prefixed trailing text without a dot for an embedded host', () => {
    const parsed = findOriginBound('@example.com #747723 %future');

    expect(parsed).toMatchObject({ host: 'example.com', code: '747723', strict: true });
    expect(parsed?.embeddedHost).toBeUndefined();
  });

  it('falls back to the lenient parse', () => {
    const parsed = findOriginBound('code\n@example.com #747723\n');

    expect(parsed).toMatchObject({ code: '747723', strict: false });
  });
});

describe('normaliseHost', () => {
  it('refuses hosts longer than 253 characters and labels longer than 63', () => {
    const longLabel = `${'a'.repeat(64)}.com`;
    const longHost = `${'abcdefghi.'.repeat(26)}com`;

    expect(normaliseHost(longLabel)).toBeNull();
    expect(normaliseHost(longHost)).toBeNull();
    expect(normaliseHost('a-b.example')).toBe('a-b.example');
  });
});

describe('findLooseOriginMarkers', () => {
  it('finds an @host #code pair that does not start the last line', () => {
    const markers = findLooseOriginMarkers('something @example.com #747723');

    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ host: 'example.com', code: '747723' });
  });

  it('ignores an @ glued to a word (an e-mail address)', () => {
    const markers = findLooseOriginMarkers('write to me@example.com #747723');

    expect(markers).toEqual([]);
  });
});

describe('extractCode with origin-bound messages', () => {
  it('reports kind origin_bound with the origin and the highest confidence for a spec-valid message', () => {
    const result = extractCode({
      channel: 'sms',
      text: '747723 is your code.\n\n@example.com #747723 @shop.example',
    });

    expect(result).toMatchObject({
      code: '747723',
      kind: 'origin_bound',
      confidence: 0.99,
      origin: { host: 'example.com', embeddedHost: 'shop.example' },
    });
  });

  it('trusts the origin-bound code over a different code in the explanatory text', () => {
    const result = extractCode({ channel: 'sms', text: 'Your code is 111111\n@example.com #222222' });

    expect(result.code).toBe('222222');
  });

  it('takes a non-spec @host #code marker as a standalone code without an origin', () => {
    const result = extractCode({ channel: 'sms', text: 'something @example.com #747723' });

    expect(result).toMatchObject({ code: '747723', kind: 'standalone' });
    expect(result.origin).toBeUndefined();
  });
});
