import { describe, expect, it } from 'vitest';
import { sanitizeText } from '../../../shared/domain/text/sanitize';

describe('sanitizeText (attacker-written text shown to people)', () => {
  it.each([
    ['a right-to-left override reordering a file name', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['embeddings and the pop', 'a\u202Ab\u202Bc\u202Cd\u202De', 'abcde'],
    ['isolates', 'x\u2066y\u2067z\u2068w\u2069', 'xyzw'],
    ['LRM, RLM and the Arabic letter mark', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
    ['C0 controls, DEL and C1 controls', 'a\u0000b\u0007c\u001Bd\u007Fe\u0085f\u009Bg', 'abcdefg'],
    ['interlinear annotation controls', 'a\uFFF9b\uFFFAc\uFFFBd', 'abcd'],
  ])('removes %s', (_what, input, expected) => {
    expect(sanitizeText(input, { multiline: false })).toEqual({ text: expected, changed: true });
    expect(sanitizeText(input, { multiline: true })).toEqual({ text: expected, changed: true });
  });

  it('keeps line feeds and tabs in bodies, and makes CR LF and lone CR plain line feeds without a flag', () => {
    expect(sanitizeText('a\r\nb\rc\n\td', { multiline: true })).toEqual({
      text: 'a\nb\nc\n\td',
      changed: false,
    });
  });

  it('turns line breaks and tabs into spaces in single-line fields, and says so', () => {
    expect(sanitizeText('Your\r\ncode\n\tis\u2028here', { multiline: false })).toEqual({
      text: 'Your code  is here',
      changed: true,
    });
  });

  it('leaves ordinary text alone, joiners, emoji and right-to-left scripts included', () => {
    const text = 'كود التحقق 123456 — קוד 👩‍💻 código 验证码';

    expect(sanitizeText(text, { multiline: false })).toEqual({ text, changed: false });
  });
});
