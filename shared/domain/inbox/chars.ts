// Character classes and word folding shared by the tokeniser, the lexicon and the link finder.
// Everything here is a table lookup or a range test: one pass per character, no regular expressions.

export const SPACE = 1;
export const NEWLINE = 2;
/** ASCII digits and the Arabic-Indic, Persian, Devanagari and full-width digits. */
export const DIGIT = 3;
/** ASCII letters. */
export const ALPHA = 4;
/** Letters and combining marks of space-separated scripts (Latin beyond ASCII, Cyrillic, Greek, Hebrew, Arabic...). */
export const LETTER = 5;
/** Scripts written without spaces between words (Han, kana, Hangul, Thai...): keywords are found as substrings. */
export const CJK = 6;
export const PUNCT = 7;

/** Classes of the ASCII characters, for inner loops that want to skip the function call. */
export const ASCII = new Uint8Array(128).fill(PUNCT);
for (let c = 48; c <= 57; c++) ASCII[c] = DIGIT;
for (let c = 65; c <= 90; c++) ASCII[c] = ALPHA;
for (let c = 97; c <= 122; c++) ASCII[c] = ALPHA;
ASCII[32] = SPACE;
ASCII[9] = SPACE;
ASCII[10] = NEWLINE;
ASCII[11] = NEWLINE;
ASCII[12] = NEWLINE;
ASCII[13] = NEWLINE;
for (let c = 0; c < 32; c++) if (ASCII[c] === PUNCT) ASCII[c] = SPACE;
ASCII[127] = SPACE;

export function charClass(c: number): number {
  if (c < 128) return ASCII[c] ?? PUNCT;
  if (c < 0x300) {
    if (c === 0xa0) return SPACE;
    if (c === 0x85) return NEWLINE;
    if (c === 0xad) return SPACE;
    if (c === 0xaa || c === 0xb5 || c === 0xba) return LETTER;
    if (c >= 0xc0 && c !== 0xd7 && c !== 0xf7) return LETTER;
    return PUNCT;
  }
  if (c < 0x2000) {
    if (c >= 0x660 && c <= 0x669) return DIGIT;
    if (c >= 0x6f0 && c <= 0x6f9) return DIGIT;
    if (c >= 0x966 && c <= 0x96f) return DIGIT;
    if (c === 0x37e || c === 0x387 || c === 0x589 || c === 0x5be || c === 0x5c0 || c === 0x5c3) return PUNCT;
    if (c === 0x60c || c === 0x61b || c === 0x61f || c === 0x6d4) return PUNCT;
    if (c >= 0x66a && c <= 0x66d) return PUNCT;
    if (c >= 0xe00 && c <= 0xeff) return CJK;
    if (c >= 0x1000 && c <= 0x109f) return CJK;
    if (c >= 0x1100 && c <= 0x11ff) return CJK;
    if (c >= 0x1780 && c <= 0x17ff) return CJK;
    if (c === 0x1680) return SPACE;
    return LETTER;
  }
  if (c < 0x3000) {
    if (c <= 0x200b) return SPACE;
    if (c === 0x200c || c === 0x200d) return LETTER;
    if (c === 0x2028 || c === 0x2029) return NEWLINE;
    if (c === 0x202f || c === 0x205f || c === 0x2060) return SPACE;
    if (c >= 0x2c00 && c <= 0x2dff) return LETTER;
    return PUNCT;
  }
  if (c < 0xa000) {
    if (c === 0x3000) return SPACE;
    if (c === 0x3005 || c === 0x3006) return CJK;
    if (c < 0x3040) return PUNCT;
    if (c <= 0x30ff) return c === 0x30fb ? PUNCT : CJK;
    if (c >= 0x3130 && c <= 0x318f) return CJK;
    if (c >= 0x3400) return CJK;
    return PUNCT;
  }
  if (c >= 0xac00 && c <= 0xd7af) return CJK;
  if (c >= 0xd800 && c <= 0xdfff) return PUNCT;
  if (c >= 0xf900 && c <= 0xfaff) return CJK;
  if (c >= 0xfb00 && c <= 0xfdff) return LETTER;
  if (c >= 0xfe70 && c <= 0xfefe) return LETTER;
  if (c === 0xfeff) return SPACE;
  if (c >= 0xff10 && c <= 0xff19) return DIGIT;
  if ((c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a)) return LETTER;
  if (c >= 0xff66 && c <= 0xff9f) return CJK;
  if (c >= 0xe000) return PUNCT;
  return LETTER;
}

/** The ASCII digit of any DIGIT-class character. */
export function asciiDigit(c: number): string {
  if (c >= 48 && c <= 57) return String.fromCharCode(c);
  if (c >= 0x660 && c <= 0x669) return String.fromCharCode(48 + c - 0x660);
  if (c >= 0x6f0 && c <= 0x6f9) return String.fromCharCode(48 + c - 0x6f0);
  if (c >= 0x966 && c <= 0x96f) return String.fromCharCode(48 + c - 0x966);
  if (c >= 0xff10 && c <= 0xff19) return String.fromCharCode(48 + c - 0xff10);
  return '';
}

export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

export function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** Letters folded to another letter beyond what canonical decomposition gives. */
const FOLD_EXTRA: Record<string, string> = {
  ı: 'i',
  đ: 'd',
  ł: 'l',
  ø: 'o',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ي: 'ی',
  ى: 'ی',
  ك: 'ک',
  ς: 'σ',
};

const FOLD_FROM = 0xc0;
const FOLD_TO = 0x2000;
/**
 * Folding table for U+00C0..U+1FFF, built once: 0 keeps the character, 1 drops it (combining marks,
 * Hebrew points, Arabic diacritics, tatweel, joiners), 2 uses FOLD_EXTRA, any other value is the base letter
 * of the character's canonical decomposition (é -> e, й -> и, ά -> α).
 */
const FOLD_TABLE = new Uint16Array(FOLD_TO - FOLD_FROM);
for (let c = FOLD_FROM; c < FOLD_TO; c++) {
  const ch = String.fromCharCode(c);
  let value = 0;
  if (isIgnorableMark(c)) value = 1;
  else if (FOLD_EXTRA[ch] !== undefined) value = 2;
  else {
    const nfd = ch.normalize('NFD');
    const base = nfd.charCodeAt(0);
    let marksOnly = nfd.length > 1;
    for (let k = 1; k < nfd.length; k++) if (!isIgnorableMark(nfd.charCodeAt(k))) marksOnly = false;
    if (marksOnly && base !== c && base > 2) value = base;
  }
  FOLD_TABLE[c - FOLD_FROM] = value;
}

function isIgnorableMark(c: number): boolean {
  return (
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x591 && c <= 0x5c7 && c !== 0x5be && c !== 0x5c0 && c !== 0x5c3 && c !== 0x5c6) ||
    (c >= 0x64b && c <= 0x65f) ||
    c === 0x670 ||
    c === 0x640 ||
    c === 0x200c ||
    c === 0x200d
  );
}

/**
 * Lower-case a word and strip accents, Hebrew points and Arabic diacritics so that `código`, `codigo`,
 * `Doğrulama` and `DOGRULAMA` meet in the lexicon. Only for space-separated scripts (CJK runs are matched
 * as written). A table lookup per character: no Unicode normalisation at run time.
 */
export function foldWord(word: string): string {
  const lower = word.toLowerCase();
  let k = 0;
  for (; k < lower.length; k++) {
    const c = lower.charCodeAt(k);
    if (c >= FOLD_FROM && (c >= FOLD_TO ? c === 0x200c || c === 0x200d : FOLD_TABLE[c - FOLD_FROM] !== 0))
      break;
  }
  if (k === lower.length) return lower;
  let out = lower.slice(0, k);
  for (; k < lower.length; k++) {
    const c = lower.charCodeAt(k);
    if (c < FOLD_FROM) {
      out += lower[k] ?? '';
      continue;
    }
    if (c >= FOLD_TO) {
      if (c !== 0x200c && c !== 0x200d) out += lower[k] ?? '';
      continue;
    }
    const v = FOLD_TABLE[c - FOLD_FROM] ?? 0;
    if (v === 0) out += lower[k] ?? '';
    else if (v === 2) out += FOLD_EXTRA[lower[k] ?? ''] ?? '';
    else if (v !== 1) out += String.fromCharCode(v);
  }
  return out;
}
