import { describe, expect, it } from 'vitest';
import { stripUnsafeText } from '../../../shared/domain/text/sanitize';

describe('stripUnsafeText', () => {
  it('removes bidi overrides, isolates and marks', () => {
    const spoof = 'Invoice \u202Efdp.exe\u202C \u2066x\u2069 \u200E\u200F\u061C!';
    expect(stripUnsafeText(spoof)).toEqual({ text: 'Invoice fdp.exe x !', changed: true });
  });

  it('removes control characters but keeps line feeds and tabs (a CR becomes a line feed)', () => {
    expect(stripUnsafeText('a\u0000b\u0007c\rd\u001be\u007ff\u0085g\nh\ti')).toEqual({
      text: 'abc\ndefg\nh\ti',
      changed: true,
    });
  });

  it('leaves ordinary text, including right-to-left scripts and emoji, untouched', () => {
    const text = 'Pixel 9 – שלום مرحبا 👍 café';
    expect(stripUnsafeText(text)).toEqual({ text, changed: false });
  });
});
