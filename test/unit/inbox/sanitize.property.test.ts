import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnsafeChar, sanitizeText } from '../../../shared/domain/text/sanitize';
import { runs } from '../../support/property-runs';

describe('sanitizeText (property)', () => {
  it('never leaves an unsafe character, and changes nothing else (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.boolean(), (input, multiline) => {
        const { text, changed } = sanitizeText(input, { multiline });
        for (let k = 0; k < text.length; k++) {
          const c = text.charCodeAt(k);
          if (isUnsafeChar(c)) expect(multiline && (c === 0x0a || c === 0x09)).toBe(true);
        }
        const kept = [...input].filter((ch) => !isUnsafeChar(ch.charCodeAt(0))).join('');
        expect([...text].filter((ch) => !isUnsafeChar(ch.charCodeAt(0)) && ch !== ' ').join('')).toBe(
          kept.replaceAll(' ', ''),
        );
        if (!changed)
          expect(text.replaceAll('\n', '')).toBe(input.replaceAll('\r\n', '').replaceAll(/[\r\n]/g, ''));
      }),
      { numRuns: runs(500) },
    );
  });
});
