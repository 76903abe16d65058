// Verification-code extraction: the product's core judgement on every inbound SMS and e-mail.
//
// Order of decisions:
//  1. An origin-bound last line (`@host #code`, WICG; Apple's `%host` tolerated) wins outright.
//  2. Otherwise every code-shaped token group of the text is a candidate (123456, 123 456, 105-876, G-412157,
//     CWGUG8, DJZ-TLX, a u 8 k u f). Candidates glued to currency, time, date, decimal or phone punctuation,
//     preceded by amount, card, order or phone words, or followed by currency and unit words are dropped.
//  3. Each survivor is scored: shape (6 digits best) x evidence (a code word in the same sentence, closer is
//     better; a code word on the line above a code that stands alone on its line; weaker login words; an
//     `@host #code` marker; the whole message being the code). The best score of at least THRESHOLD wins.
//  4. Links: verification and sign-in URLs of the text (and of the HTML for e-mail), at most MAX_LINKS.
// Inputs are capped (types.ts) and the work is linear in their size; no regular expression is used.

import * as chars from './chars';
import { htmlToText } from './html-to-text';
import { LETTER_STOPWORDS } from './keywords';
import { findEmailSpans, findUrlSpans, type Span, selectLinks, type UrlSpan } from './links';
import { findLooseOriginMarkers, findOriginBound } from './origin-bound';
import type { Analysis, Hits, Tokens } from './tokenize';
import * as tokenize from './tokenize';
import {
  type Channel,
  type CodeKind,
  type CodeSource,
  type ExtractedLink,
  type Extraction,
  type ExtractionInput,
  type ExtractionTrace,
  MAX_HTML_CHARS,
  MAX_LINKS,
  MAX_SUBJECT_CHARS,
  MAX_TEXT_CHARS,
} from './types';

// Module-local copies of imported bindings used in loops (see tokenize.ts).
const { asciiDigit, charClass, DIGIT, isAsciiAlnum, isLower, isUpper, SPACE } = chars;
const { analyse, F_CLAIMED, F_CODE_WORD, F_IN_URL, F_LINKER, F_HEAD_SINGLE, F_TAIL_SINGLE } = tokenize;
const { GAP_LINE, GAP_NONE, GAP_ONE, RUN, SYM, WORD } = tokenize;
const { R_AMOUNT, R_CARD, R_CURRENCY, R_DATE, R_NEGMOD, R_ORDER, R_PHONE, R_UNIT } = tokenize;

/** Scores below this are not codes. */
export const THRESHOLD = 0.45;

type Shape = 'digits' | 'mixed' | 'letters';

interface Candidate {
  start: number;
  end: number;
  first: number;
  last: number;
  shape: Shape;
  digits: number;
  /** Several groups joined (123 456, DJZ-TLX, a u 8 k u f). */
  joined: boolean;
  upper: boolean;
  lower: boolean;
}

interface Found {
  start: number;
  end: number;
  score: number;
  kind: CodeKind;
}

/** Prefixes shown before a code but not typed: G-412157 (Google), FB-12345 (Facebook). */
const DISPLAY_PREFIXES = new Set(['G', 'FB']);

function isHyphen(c: number): boolean {
  return c === 0x2d || c === 0x2010 || c === 0x2011;
}

function isDigitAt(text: string, at: number): boolean {
  return at >= 0 && at < text.length && charClass(text.charCodeAt(at)) === DIGIT;
}

function isColon(ch: number): boolean {
  return ch === 0x3a || ch === 0xff1a || ch === 0x3d;
}

/** The code as a user types it: spaces removed, hyphens between digit groups removed, G- dropped, digits ASCII. */
export function normaliseCode(raw: string): string {
  let plain = true;
  for (let k = 0; k < raw.length && plain; k++) {
    const c = raw.charCodeAt(k);
    plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  }
  if (plain) return raw;
  let out = '';
  let allDigits = true;
  for (let k = 0; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    const cls = charClass(c);
    if (cls === SPACE) continue;
    if (cls === DIGIT) out += asciiDigit(c);
    else {
      out += raw[k] ?? '';
      if (!isHyphen(c)) allDigits = false;
    }
  }
  const dash = out.indexOf('-');
  if (dash > 0 && DISPLAY_PREFIXES.has(out.slice(0, dash))) {
    let rest = dash + 1 < out.length;
    for (let k = dash + 1; k < out.length; k++) if (!isDigitAt(out, k) && out[k] !== '-') rest = false;
    if (rest) return out.slice(dash + 1).replaceAll('-', '');
  }
  if (!allDigits) return out;
  let digitsOnly = '';
  for (let k = 0; k < out.length; k++) if (!isHyphen(out.charCodeAt(k))) digitsOnly += out[k] ?? '';
  return digitsOnly;
}

// ---------------------------------------------------------------------------------------------------------
// Candidates

function claim(t: Tokens, first: number, last: number): void {
  for (let k = first; k <= last; k++) t.flags[k] = (t.flags[k] ?? 0) | F_CLAIMED;
}

function lengthOf(t: Tokens, k: number): number {
  return (t.end[k] ?? 0) - (t.start[k] ?? 0);
}

/** Bit 1: an ASCII capital in text[start, end); bit 2: an ASCII small letter. */
function caseBits(text: string, start: number, end: number): number {
  let bits = 0;
  for (let k = start; k < end && bits !== 3; k++) {
    const c = text.charCodeAt(k);
    if (c >= 65 && c <= 90) bits |= 1;
    else if (c >= 97 && c <= 122) bits |= 2;
  }
  return bits;
}

function candidateOf(text: string, t: Tokens, first: number, last: number, joined: boolean): Candidate {
  let digits = 0;
  let alpha = 0;
  for (let k = first; k <= last; k++) {
    if (t.kind[k] !== WORD) continue;
    digits += t.nDigit[k] ?? 0;
    alpha += t.nAlpha[k] ?? 0;
  }
  const start = t.start[first] ?? 0;
  const end = t.end[last] ?? 0;
  const cases = alpha === 0 ? 0 : caseBits(text, start, end);
  const shape: Shape = alpha === 0 ? 'digits' : digits === 0 ? 'letters' : 'mixed';
  return {
    start,
    end,
    first,
    last,
    shape,
    digits,
    joined,
    upper: (cases & 1) !== 0,
    lower: (cases & 2) !== 0,
  };
}

/** Hyphen chains: 105-876, 1234-5678, G-412157, DJZ-TLX, tt226-5398x, sparo-ndigo-amurt-secan. */
function hyphenChains(text: string, t: Tokens, out: Candidate[]): void {
  const kindA = t.kind;
  for (let first = 0; first < t.count; first++) {
    if (
      kindA[first] !== WORD ||
      kindA[first + 1] !== SYM ||
      !isHyphen(t.ch[first + 1] ?? 0) ||
      ((t.flags[first] ?? 0) & (F_CLAIMED | F_IN_URL)) !== 0
    ) {
      continue;
    }
    let last = first;
    while (
      last + 2 < t.count &&
      t.kind[last + 1] === SYM &&
      isHyphen(t.ch[last + 1] ?? 0) &&
      t.gap[last + 1] === GAP_NONE &&
      t.kind[last + 2] === WORD &&
      t.gap[last + 2] === GAP_NONE
    ) {
      last += 2;
    }
    if (last === first) continue;
    claim(t, first, last);
    const groups = (last - first) / 2 + 1;
    const chainStart = first;
    first = last;
    let foreign = false;
    let allDigits = true;
    let equal = true;
    const len = lengthOf(t, chainStart);
    for (let k = chainStart; k <= last; k += 2) {
      if ((t.nLetter[k] ?? 0) > 0) foreign = true;
      if ((t.nAlpha[k] ?? 0) > 0) allDigits = false;
      if (lengthOf(t, k) !== len) equal = false;
    }
    if (foreign || groups > 6) continue;
    const cases = caseBits(text, t.start[chainStart] ?? 0, t.end[last] ?? 0);
    const anyUpper = (cases & 1) !== 0;
    const anyLower = (cases & 2) !== 0;
    const prefix = text.slice(t.start[chainStart], t.end[chainStart]);
    const tail = last;
    if (
      groups === 2 &&
      t.nAlpha[chainStart] === prefix.length &&
      caseBits(text, t.start[chainStart] ?? 0, t.end[chainStart] ?? 0) === 1 &&
      prefix.length <= 3 &&
      t.nAlpha[tail] === 0 &&
      (t.nDigit[tail] ?? 0) >= 4 &&
      (t.nDigit[tail] ?? 0) <= 8
    ) {
      // G-412157 and FB-12345 carry a display prefix; other short prefixes label the number that follows.
      const c = candidateOf(text, t, DISPLAY_PREFIXES.has(prefix) ? chainStart : tail, tail, false);
      // The display prefix is not part of the code: the shape is that of the digits.
      c.shape = 'digits';
      c.upper = false;
      out.push(c);
      continue;
    }
    if (allDigits) {
      if (!plausibleGrouping(text, t, chainStart, last, 2)) continue;
    } else if (!equal || len < 3 || len > 8 || (anyUpper && anyLower)) continue;
    out.push(candidateOf(text, t, chainStart, last, true));
  }
}

/** A code split into groups adds up to a plausible code length (MIN..MAX_GROUPED_DIGITS digits). */
export const MIN_GROUPED_DIGITS = 4;
export const MAX_GROUPED_DIGITS = 9;
const MAX_GROUP_DIGITS = 4;

/**
 * Digit groups t[first], t[first + step], ... t[last] (hyphen chains step over the hyphens) read as one
 * code: any grouping (2-2-2, 3-3-2, 4-2, 1-1-1-1-1-1 ...) of 1 to 4 digits per group whose digits add up
 * to a plausible code length. Two shapes are numbers, not codes, whatever the context: thousands
 * grouping (a short head, then groups of exactly three: 1 234 567, 12 345) and a calendar date
 * (d-m-y, y-m-d: 12-05-2026, 2026-12-05, 05-12-26).
 */
function plausibleGrouping(text: string, t: Tokens, first: number, last: number, step: number): boolean {
  let total = 0;
  let groups = 0;
  let tailOfThrees = true;
  for (let k = first; k <= last; k += step) {
    const len = lengthOf(t, k);
    if (len > MAX_GROUP_DIGITS) return false;
    total += len;
    groups++;
    if (k > first && len !== 3) tailOfThrees = false;
  }
  if (groups < 2 || total < MIN_GROUPED_DIGITS || total > MAX_GROUPED_DIGITS) return false;
  if (tailOfThrees && lengthOf(t, first) < 3) return false;
  return !(groups === 3 && isDateShape(text, t, first, step));
}

function groupValue(text: string, t: Tokens, k: number): number {
  let value = 0;
  for (let i = t.start[k] ?? 0; i < (t.end[k] ?? 0); i++)
    value = value * 10 + Number(asciiDigit(text.charCodeAt(i)));
  return value;
}

/** Three groups that read as a day, a month and a year in either order (months 1-12, days 1-31). */
function isDateShape(text: string, t: Tokens, first: number, step: number): boolean {
  const lens = [lengthOf(t, first), lengthOf(t, first + step), lengthOf(t, first + 2 * step)];
  const [a, b, c] = [
    groupValue(text, t, first),
    groupValue(text, t, first + step),
    groupValue(text, t, first + 2 * step),
  ];
  const day = (v: number) => v >= 1 && v <= 31;
  const month = (v: number) => v >= 1 && v <= 12;
  const dayFirst = (lens[0] ?? 0) <= 2 && (lens[1] ?? 0) <= 2 && (lens[2] === 2 || lens[2] === 4);
  const yearFirst = lens[0] === 4 && (lens[1] ?? 0) <= 2 && (lens[2] ?? 0) <= 2;
  if (dayFirst && ((day(a) && month(b)) || (month(a) && day(b)))) return true;
  return yearFirst && month(b) && day(c);
}

/**
 * One pass over the words left by the hyphen chains:
 * - digit groups separated by single spaces: 123 456, 48 29 13, 482 913 57 (see `plausibleGrouping`;
 *   other groupings are phone numbers or amounts, and are dropped whole);
 * - characters spelled out one by one: a u 8 k u f (4 to 12 characters, at least one digit);
 * - any other word of 3 to 16 ASCII letters and digits.
 */
function groupsAndWords(text: string, t: Tokens, out: Candidate[]): void {
  const {
    kind: kindA,
    gap: gapA,
    flags: flagsA,
    nLetter: letterA,
    nAlpha: alphaA,
    start: startA,
    end: endA,
  } = t;
  const n = t.count;
  const free = (k: number): boolean =>
    k < n && kindA[k] === WORD && letterA[k] === 0 && ((flagsA[k] ?? 0) & F_CLAIMED) === 0;
  const lengthAt = (k: number): number => (endA[k] ?? 0) - (startA[k] ?? 0);
  const isGroup = (k: number): boolean => free(k) && alphaA[k] === 0 && lengthAt(k) >= 2 && lengthAt(k) <= 4;
  for (let k = 0; k < n; k++) {
    // Inline test of free(k) (the common case is a word that is skipped) plus URL/e-mail tokens.
    if (kindA[k] !== WORD || letterA[k] !== 0 || ((flagsA[k] ?? 0) & (F_CLAIMED | F_IN_URL)) !== 0) continue;
    const len = lengthAt(k);
    // free(k) holds here, so isGroup(k) reduces to the shape test (cheap first: most words are not groups).
    if (len >= 2 && len <= 4 && alphaA[k] === 0) {
      let last = k;
      while (isGroup(last + 1) && gapA[last + 1] === GAP_ONE) last++;
      if (last > k) {
        // A one-digit head glued by one space belongs to the number: 1 234 567 is thousands grouping.
        const head =
          k > 0 && gapA[k] === GAP_ONE && free(k - 1) && alphaA[k - 1] === 0 && lengthAt(k - 1) === 1
            ? k - 1
            : k;
        claim(t, head, last);
        if (plausibleGrouping(text, t, head, last, 1)) out.push(candidateOf(text, t, head, last, true));
        k = last;
        continue;
      }
    }
    if (len === 1) {
      let last = k;
      let digits = t.nDigit[k] ?? 0;
      while (free(last + 1) && lengthAt(last + 1) === 1 && gapA[last + 1] === GAP_ONE) {
        last++;
        digits += t.nDigit[last] ?? 0;
      }
      const count = last - k + 1;
      if (count >= 4) {
        claim(t, k, last);
        if (count <= 12 && digits > 0) out.push(candidateOf(text, t, k, last, true));
      }
      k = last;
      continue;
    }
    if (len < 3 || len > 16) continue;
    // Words without digits are codes only after "code:" / "code is" or alone on a line: skip prose early.
    if (
      (t.nDigit[k] ?? 0) === 0 &&
      !(k === 0 || gapA[k] === GAP_LINE || kindA[k - 1] === SYM || t.has(k - 1, F_LINKER))
    ) {
      continue;
    }
    out.push(candidateOf(text, t, k, k, false));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rejections

const BAD_BEFORE = new Set([
  0x2b, 0x24, 0x20ac, 0xa3, 0xa5, 0x20b9, 0x20bd, 0x20a9, 0x20ba, 0x20ab, 0x20aa, 0xfdfc, 0xa2, 0x23, 0x40,
  0x2f, 0x5c, 0x5f, 0x26, 0x2a, 0x25, 0x5e, 0x7e, 0xff04, 0xffe5, 0xff03,
]);
const BAD_AFTER = new Set([
  0x25, 0x2f, 0x5c, 0x5f, 0x40, 0x26, 0x2a, 0x2b, 0x24, 0x20ac, 0xa3, 0xa5, 0x20b9, 0xb0, 0x2030, 0xff05,
  0x20bd, 0x20a9,
]);
const CURRENCY_SYMBOLS = new Set([
  0x24, 0x20ac, 0xa3, 0xa5, 0x20b9, 0x20bd, 0x20a9, 0x20ba, 0x20ab, 0x20aa, 0xfdfc, 0xff04, 0xffe5,
]);
/** Punctuation that ends the look-back for context words. */
const STOP_PUNCT = new Set([
  0x2c, 0x3b, 0x21, 0x3f, 0x28, 0x29, 0x5b, 0x5d, 0x3010, 0x3011, 0x300c, 0x300d, 0x300e, 0x300f, 0x22,
  0x201c, 0x201d, 0xab, 0xbb, 0xff0c, 0x3001, 0xff1b, 0xff08, 0xff09, 0x3002, 0xff01, 0xff1f, 0x7c, 0x3c,
  0x3e,
]);

/** Characters glued to the candidate that make it part of an amount, a time, a date, a phone number or a path. */
function badGlue(text: string, start: number, end: number): boolean {
  const p = start > 0 ? text.charCodeAt(start - 1) : 0x20;
  if (BAD_BEFORE.has(p)) return true;
  const numberSeparator = p === 0x2e || p === 0x2c || p === 0x3a || p === 0x66b || p === 0x66c;
  if ((numberSeparator || isHyphen(p)) && isDigitAt(text, start - 2)) return true;
  if (isHyphen(p) && isAsciiAlnum(text.charCodeAt(start - 2))) return true;
  const n = end < text.length ? text.charCodeAt(end) : 0x20;
  if (BAD_AFTER.has(n)) return true;
  const separators = n === 0x2e || n === 0x2c || n === 0x3a || n === 0x2f || n === 0x66b || n === 0x66c;
  if ((separators || isHyphen(n)) && isDigitAt(text, end + 1)) return true;
  if (isHyphen(n) && (isAsciiAlnum(text.charCodeAt(end + 1)) || end + 1 >= text.length)) return true;
  return false;
}

const UNIT_SUFFIXES = new Set([
  'st',
  'nd',
  'rd',
  'th',
  'am',
  'pm',
  'h',
  'hr',
  'hrs',
  'min',
  'mins',
  'm',
  's',
  'sec',
  'secs',
  'ms',
  'mb',
  'gb',
  'kb',
  'tb',
  'km',
  'kg',
  'g',
  'mg',
  'ml',
  'l',
  'cm',
  'mm',
  'x',
  'k',
  'px',
  'p',
  'fps',
  'mp',
  'hz',
  'ghz',
  'mhz',
  'kw',
  'v',
  'w',
  'd',
  'y',
  'yr',
  'yrs',
  'mo',
  'wk',
  'gbps',
  'mbps',
  'e',
  'er',
  'eme',
  'usd',
  'eur',
  'inr',
  'rs',
  'tl',
]);
const CURRENCY_PREFIXES = new Set([
  'rs',
  'inr',
  'usd',
  'eur',
  'us',
  'rm',
  'rp',
  'idr',
  'nt',
  'hk',
  'cad',
  'aud',
  'tl',
]);

/** Ordinals, measures, prices, masked card numbers and hash-like tokens are not codes. */
function badMixed(raw: string, c: Candidate): boolean {
  if (c.shape !== 'mixed' || c.joined) return false;
  const len = raw.length;
  let lead = 0;
  while (lead < len && isDigitAt(raw, lead)) lead++;
  let tail = lead;
  while (tail < len && !isDigitAt(raw, tail)) tail++;
  if (lead > 0 && tail === len && UNIT_SUFFIXES.has(raw.slice(lead).toLowerCase())) return true;
  let letters = 0;
  while (letters < len && !isDigitAt(raw, letters)) letters++;
  let rest = letters;
  while (rest < len && isDigitAt(raw, rest)) rest++;
  if (letters > 0 && rest === len && CURRENCY_PREFIXES.has(raw.slice(0, letters).toLowerCase())) return true;
  let maskHead = 0;
  while (maskHead < len && (raw[maskHead] === 'x' || raw[maskHead] === 'X')) maskHead++;
  let maskTail = 0;
  while (maskTail < len && (raw[len - 1 - maskTail] === 'x' || raw[len - 1 - maskTail] === 'X')) maskTail++;
  if (maskHead >= 2 || maskTail >= 3) return true;
  return c.upper && c.lower && len >= 10;
}

/** Roles of the (at most three) words before the candidate, up to a code word, a copula or strong punctuation. */
function rolesBefore(t: Tokens, first: number): number {
  let roles = 0;
  let words = 0;
  for (let k = first - 1; k >= 0 && words < 3; k--) {
    if (t.gap[k + 1] === GAP_LINE) break;
    const kind = t.kind[k];
    const ch = t.ch[k] ?? 0;
    if (kind === SYM) {
      if (STOP_PUNCT.has(ch)) break;
      if (CURRENCY_SYMBOLS.has(ch) && words === 0) roles |= R_CURRENCY;
      continue;
    }
    if (((t.flags[k] ?? 0) & (F_CODE_WORD | F_LINKER)) !== 0) break;
    if (kind === RUN) {
      const singleApart = ((t.flags[k] ?? 0) & F_TAIL_SINGLE) !== 0 && t.gap[k + 1] !== GAP_NONE;
      if (words === 0 && !singleApart) roles |= t.tailRoles[k] ?? 0;
      break;
    }
    // A currency word only matters right before the number (EUR 200); "200 EUR est 1234" is fine.
    roles |= words === 0 ? (t.roles[k] ?? 0) : (t.roles[k] ?? 0) & ~R_CURRENCY;
    words++;
  }
  return roles;
}

/** Roles of what directly follows the candidate (currency, unit, date words; a percent sign). */
function rolesAfter(t: Tokens, last: number): number {
  const k = last + 1;
  if (k >= t.count || t.gap[k] === GAP_LINE) return 0;
  const ch = t.ch[k] ?? 0;
  if (t.kind[k] === SYM) {
    if (ch === 0x25 || ch === 0xff05 || ch === 0x2030) return R_UNIT;
    if (CURRENCY_SYMBOLS.has(ch) && t.gap[k] !== GAP_NONE) return R_CURRENCY;
    return 0;
  }
  if (t.kind[k] === RUN) {
    return ((t.flags[k] ?? 0) & F_HEAD_SINGLE) !== 0 && t.gap[k] !== GAP_NONE ? 0 : (t.headRoles[k] ?? 0);
  }
  return t.roles[k] ?? 0;
}

// ---------------------------------------------------------------------------------------------------------
// Evidence

interface Layout {
  /** Token index of the first token of each line, -1 for empty lines. */
  lineFirst: Int32Array;
  lineHasCode: Uint8Array;
  firstCodeUnit2: number;
  specificAnywhere: boolean;
  shouting: boolean;
  /** Content tokens of a short message, leading [Brand] and app hash excluded; null for longer messages. */
  significant: number[] | null;
  /** Segments holding a code, login or imperative word: only there (or at a line start) can a code score. */
  segHasHit: Uint8Array;
}

function layoutOf(a: Analysis, hash: Span | null): Layout {
  const t = a.tokens;
  const lines = Math.max(1, a.lineCount);
  const lineFirst = new Int32Array(lines).fill(-1);
  const lineHasCode = new Uint8Array(lines);
  const lineA = t.line;
  // Token lines never decrease: a token starts its line when its line differs from the previous token's.
  let current = -1;
  for (let k = 0; k < t.count; k++) {
    const line = lineA[k] ?? 0;
    if (line !== current) {
      lineFirst[line] = k;
      current = line;
    }
  }
  const segs = t.count === 0 ? 1 : (t.seg[t.count - 1] ?? 0) + 1;
  const segHasHit = new Uint8Array(segs);
  for (const list of [a.codeHits, a.weakHits, a.imperativeHits]) {
    for (let h = 0; h < list.length; h++) segHasHit[list.seg[h] ?? 0] = 1;
  }
  const hits = a.codeHits;
  let specificAnywhere = false;
  for (let h = 0; h < hits.length; h++) {
    lineHasCode[hits.line[h] ?? 0] = 1;
    if (hits.specific[h] === 1) specificAnywhere = true;
  }
  return {
    lineFirst,
    lineHasCode,
    firstCodeUnit2: hits.length > 0 ? (hits.u0[0] ?? 0) : Number.POSITIVE_INFINITY,
    specificAnywhere,
    shouting: t.upper > t.lower,
    significant: significantTokens(t, hash),
    segHasHit,
  };
}

/**
 * Content tokens outside a leading [Brand] / 【Brand】 / (Brand), a leading brand label ("Acme:", "Uber Eats:":
 * one or two capitalised words before a colon on the first line) and the app hash; null beyond 16 of them.
 */
function significantTokens(t: Tokens, hash: Span | null): number[] | null {
  const out: number[] = [];
  let depth = 0;
  let leading = true;
  let labelWords = 0;
  let labelOk = true;
  const { ch: chA, kind: kindA } = t;
  for (let k = 0; k < t.count; k++) {
    const ch = chA[k] ?? 0;
    if (kindA[k] === SYM) {
      if (ch === 0x5b || ch === 0x3010 || ch === 0x28) depth++;
      else if ((ch === 0x5d || ch === 0x3011 || ch === 0x29) && depth > 0) depth--;
      else if (isColon(ch) && depth === 0 && t.line[k] === 0 && labelOk && out.length === labelWords) {
        if (labelWords >= 1 && labelWords <= 2) out.length = 0;
        labelOk = false;
      }
      continue;
    }
    if (leading && depth > 0) continue;
    leading = false;
    if (hash !== null && (t.start[k] ?? 0) >= hash.start) continue;
    out.push(k);
    const capitalised = kindA[k] === WORD && (t.nDigit[k] ?? 0) === 0 && isUpper(chA[k] ?? 0);
    if (capitalised && ((t.flags[k] ?? 0) & F_LINKER) === 0) labelWords++;
    else labelOk = false;
    if (out.length > 16) return null;
  }
  return out;
}

/** Nearest content token before / after `k` (within 64 tokens), or -1. */
function prevContent(t: Tokens, k: number): number {
  for (let m = k - 1; m >= 0 && k - m <= 64; m--) if (t.kind[m] !== SYM) return m;
  return -1;
}

function nextContent(t: Tokens, k: number): number {
  for (let m = k + 1; m < t.count && m - k <= 64; m++) if (t.kind[m] !== SYM) return m;
  return -1;
}

interface Proximity {
  score: number;
  distance: number;
}

/** Best proximity score of a hit in the candidate's sentence: 1 right before it, minus 0.035 a word. */
function proximity(hits: Hits, seg: number, u0: number, u1: number, specificOnly: boolean): Proximity {
  const result: Proximity = { score: 0, distance: Number.POSITIVE_INFINITY };
  const before = hits.lastBefore(u0);
  // The nearest hit may be unacceptable (a generic word in a promotion); look one further each way.
  for (let h = before - 1; h <= before + 2; h++) {
    if (h < 0 || h >= hits.length || hits.seg[h] !== seg || (specificOnly && hits.specific[h] !== 1))
      continue;
    const isBefore = h <= before;
    const d = Math.max(0, isBefore ? u0 - (hits.u1[h] ?? 0) : (hits.u0[h] ?? 0) - u1) / 2;
    const score = d > 16 ? 0.35 : (isBefore ? 1 : 0.95) - 0.035 * d;
    if (score > result.score) {
      result.score = score;
      result.distance = d;
    }
  }
  return result;
}

/** The line of the nearest content token before line `line`'s first token, or -1. */
function previousLine(t: Tokens, layout: Layout, line: number): number {
  const first = layout.lineFirst[line] ?? -1;
  const before = first > 0 ? prevContent(t, first) : -1;
  return before < 0 ? -1 : (t.line[before] ?? -1);
}

function evidence(a: Analysis, layout: Layout, c: Candidate): number {
  const t = a.tokens;
  const u0 = t.unit2[c.first] ?? 0;
  const u1 = (t.unit2[c.last] ?? 0) + t.width2(c.last);
  const seg = t.seg[c.first] ?? 0;
  const line = t.line[c.first] ?? 0;
  const lastLine = t.line[c.last] ?? 0;
  const codeAnywhere = a.codeHits.length > 0;
  const promoHere = a.promo;
  let best = proximity(a.codeHits, seg, u0, u1, promoHere).score;

  // Layout: a code alone on its line under a line that names it (e-mail style), or the line just after "Code:".
  const prev = prevContent(t, c.first);
  const prevLine = prev >= 0 ? (t.line[prev] ?? 0) : -1;
  if (prev < 0 || prevLine < line) {
    const next = nextContent(t, c.last);
    const ownLine = next < 0 || (t.line[next] ?? 0) > lastLine;
    const prevEndsWithColon = t.kind[c.first - 1] === SYM && isColon(t.ch[c.first - 1] ?? 0);
    const codeCounts = !promoHere || layout.specificAnywhere;
    const prevLineNamesCode = prevLine >= 0 && layout.lineHasCode[prevLine] === 1 && codeCounts;
    if (ownLine) {
      if (prevLineNamesCode) best = Math.max(best, 0.9);
      else if (codeCounts) {
        let l = prevLine;
        for (let step = 0; step < 3 && l >= 0; step++) {
          l = previousLine(t, layout, l);
          if (l >= 0 && layout.lineHasCode[l] === 1) {
            best = Math.max(best, 0.8);
            break;
          }
        }
        if (layout.firstCodeUnit2 < u0) best = Math.max(best, 0.6);
        // "482913\n\nThis is your login code": the naming line comes right after.
        if (next >= 0 && layout.lineHasCode[t.line[next] ?? 0] === 1) best = Math.max(best, 0.75);
      }
    } else if (t.has(prev, F_CODE_WORD) || (prevEndsWithColon && prevLineNamesCode))
      best = Math.max(best, 0.75);
  }

  if (best < 0.6 && (!promoHere || layout.specificAnywhere)) {
    const weak = proximity(a.weakHits, seg, u0, u1, false);
    if (weak.distance <= 3) best = Math.max(best, 0.55 - 0.03 * weak.distance + (codeAnywhere ? 0.25 : 0));
    const imperative = proximity(a.imperativeHits, seg, u0, u1, false);
    if (imperative.distance <= 1 && a.imperativeHits.lastBefore(u0) >= 0) {
      best = Math.max(best, 0.5 + (codeAnywhere ? 0.25 : 0));
    }
    if (codeAnywhere && !promoHere) best = Math.max(best, 0.3);
  }
  return best;
}

/** `code:` (or `代码：`) right before the candidate: letter-only and mixed-case codes need it. */
function afterCodeColon(t: Tokens, first: number): boolean {
  const colon = first - 1;
  if (colon < 1 || t.kind[colon] !== SYM || !isColon(t.ch[colon] ?? 0)) return false;
  if (t.gap[first] === GAP_LINE || t.gap[colon] === GAP_LINE) return false;
  return t.has(colon - 1, F_CODE_WORD);
}

/** `code is ABC-DEF`, `code is: ABCDEF`. */
function afterCodeLinker(t: Tokens, first: number): boolean {
  let k = first - 1;
  if (t.kind[k] === SYM && isColon(t.ch[k] ?? 0)) k--;
  if (!t.has(k, F_LINKER) || !t.has(k - 1, F_CODE_WORD)) return false;
  return t.gap[first] !== GAP_LINE && t.gap[k] !== GAP_LINE;
}

function shapeFactor(c: Candidate): number {
  if (c.shape === 'digits') {
    const d = c.digits;
    if (d === 6) return 1;
    if (d === 5 || d === 7 || d === 8) return 0.95;
    if (d === 4) return 0.9;
    if (d === 9) return 0.8;
    if (d === 10 || d === 3) return 0.7;
    return 0;
  }
  if (c.shape === 'mixed') return c.end - c.start <= 5 ? 0.85 : c.end - c.start <= 10 ? 0.9 : 0.8;
  return c.joined ? 0.85 : 0.8;
}

/** Letters-only and mixed-case codes only where the layout says so (after `code:` or alone under a code line). */
/** A word of the candidate has a role (code word, amount word...). */
function hasRoleWord(t: Tokens, c: Candidate): boolean {
  for (let k = c.first; k <= c.last; k++) if (t.kind[k] === WORD && (t.roles[k] ?? 0) !== 0) return true;
  return false;
}

function lettersAllowed(a: Analysis, layout: Layout, c: Candidate): boolean {
  const t = a.tokens;
  if (c.shape === 'letters' && hasRoleWord(t, c)) return false;
  if (!layoutAllowsLetters(t, layout, c)) return false;
  return c.shape !== 'letters' || !LETTER_STOPWORDS.has(a.text.slice(c.start, c.end).toLowerCase());
}

function layoutAllowsLetters(t: Tokens, layout: Layout, c: Candidate): boolean {
  const mixedCase = c.upper && c.lower;
  if (c.shape === 'mixed' && !mixedCase) return true;
  if (afterCodeColon(t, c.first)) return true;
  // "Your confirmation code is ABC-DEF": capitals right after "code is", unless the whole message shouts.
  if (!mixedCase && (c.upper || c.joined) && afterCodeLinker(t, c.first) && !layout.shouting) return true;
  const prev = prevContent(t, c.first);
  if (prev < 0) return false;
  const next = nextContent(t, c.last);
  const prevLine = t.line[prev] ?? 0;
  const ownLine =
    prevLine < (t.line[c.first] ?? 0) && (next < 0 || (t.line[next] ?? 0) > (t.line[c.last] ?? 0));
  if (!ownLine) return false;
  const prevLineNamesCode = layout.lineHasCode[prevLine] === 1;
  if (prevLineNamesCode && isColon(t.ch[c.first - 1] ?? 0)) return true;
  if (mixedCase || !(c.upper || c.joined)) return false;
  if (prevLineNamesCode) return true;
  const before = previousLine(t, layout, prevLine);
  return before >= 0 && layout.lineHasCode[before] === 1;
}

/** Android SMS Retriever app hash: 11 characters of [A-Za-z0-9+/] ending the message. */
export function appHashSpan(text: string): Span | null {
  let end = text.length;
  while (end > 0 && charClass(text.charCodeAt(end - 1)) <= 2) end--;
  let start = end;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let other = 0;
  while (start > 0 && end - start <= 12) {
    const c = text.charCodeAt(start - 1);
    if (isUpper(c)) upper++;
    else if (isLower(c)) lower++;
    else if (c >= 48 && c <= 57) digit++;
    else if (c === 0x2b || c === 0x2f) other++;
    else break;
    start--;
  }
  if (end - start !== 11) return null;
  if (start > 0 && charClass(text.charCodeAt(start - 1)) > 2) return null;
  const marked = text.startsWith('<#>') || text.startsWith('[#]');
  const random = (upper > 0 && lower > 0 && digit > 0) || other > 0;
  return marked || random ? { start, end } : null;
}

function startsLine(t: Tokens, first: number): boolean {
  const prev = prevContent(t, first);
  return prev < 0 || (t.line[prev] ?? 0) < (t.line[first] ?? 0);
}

/** True when the candidate is everything the message says (ignoring a leading [Brand] and an app hash). */
function isWholeMessage(layout: Layout, c: Candidate): boolean {
  const sig = layout.significant;
  if (sig === null || sig.length === 0) return false;
  for (const k of sig) if (k < c.first || k > c.last) return false;
  return true;
}

/** The candidate follows a parenthesised number, as the rest of a phone number does: (888) 888-8888. */
function afterAreaCode(text: string, start: number): boolean {
  let k = start - 1;
  while (k >= 0 && text.charCodeAt(k) === 0x20) k--;
  if (k < 0 || text.charCodeAt(k) !== 0x29) return false;
  let digits = 0;
  for (k--; k >= 0 && isDigitAt(text, k); k--) digits++;
  return digits >= 2 && digits <= 5 && text.charCodeAt(k) === 0x28;
}

/** Hard rejections: the candidate is an amount, a date, a phone, card or order number, a URL part... */
function rejected(a: Analysis, c: Candidate, hash: Span | null): boolean {
  const t = a.tokens;
  for (let k = c.first; k <= c.last; k++) if (((t.flags[k] ?? 0) & F_IN_URL) !== 0) return true;
  if (hash !== null && c.start < hash.end && hash.start < c.end) return true;
  if (badGlue(a.text, c.start, c.end)) return true;
  if (c.shape === 'digits' && afterAreaCode(a.text, c.start)) return true;
  if (c.shape === 'digits' && (c.digits > 10 || c.digits < 3)) return true;
  if (c.shape !== 'digits' && (c.end - c.start < 4 || c.end - c.start > 30)) return true;
  const before = rolesBefore(t, c.first);
  if ((before & (R_AMOUNT | R_CURRENCY | R_CARD | R_ORDER | R_NEGMOD | R_PHONE)) !== 0) return true;
  const after = rolesAfter(t, c.last);
  if ((after & (R_CURRENCY | R_UNIT)) !== 0) return true;
  if (c.shape === 'digits' && c.digits === 4 && !c.joined && ((before | after) & R_DATE) !== 0) {
    const year = Number(normaliseCode(a.text.slice(c.start, c.end)));
    if (year >= 1900 && year <= 2099) return true;
  }
  if (c.shape === 'digits' && c.digits === 3 && !c.joined) {
    // Three digits are a code only when the reader is told to type them ("enter code 548").
    const u0 = t.unit2[c.first] ?? 0;
    const imp = a.imperativeHits.lastBefore(u0);
    const near =
      imp >= 0 && a.imperativeHits.seg[imp] === t.seg[c.first] && u0 - (a.imperativeHits.u1[imp] ?? 0) <= 6;
    if (!near) return true;
  }
  return false;
}

interface TextResult {
  found: Found | null;
  runnerUp: number;
}

/** Find the best code in one text (subject and body already joined). */
function scanText(text: string): TextResult {
  const urlSpans = urlSpansOf(text);
  // Words inside URLs and e-mail addresses are neither code words nor codes.
  const a = analyse(text, [...urlSpans, ...findEmailSpans(text)]);
  const t = a.tokens;
  const hash = appHashSpan(text);
  const layout = layoutOf(a, hash);

  const candidates: Candidate[] = [];
  hyphenChains(text, t, candidates);
  groupsAndWords(text, t, candidates);

  const byCode = new Map<string, number>();
  const state: { best: Found | null } = { best: null };
  const consider = (f: Found, code: string): void => {
    if (f.score < THRESHOLD) return;
    byCode.set(code, Math.max(byCode.get(code) ?? 0, f.score));
    if (state.best === null || f.score > state.best.score) state.best = f;
  };

  for (const c of candidates) {
    // Cheap filter: away from any code word, and not starting a line, nothing can score (see evidence()).
    if (layout.segHasHit[t.seg[c.first] ?? 0] !== 1 && !startsLine(t, c.first) && !isWholeMessage(layout, c))
      continue;
    // Cheapest test first (same outcome: lettersAllowed() refuses these too): a letter-only candidate that is
    // a context word (code, PIN...) is not a code; storms of "code" on their own lines stop here.
    if (c.shape === 'letters' && hasRoleWord(t, c)) continue;
    if (rejected(a, c, hash)) continue;
    if (c.shape !== 'digits' && !lettersAllowed(a, layout, c)) continue;
    const raw = text.slice(c.start, c.end);
    if (badMixed(raw, c)) continue;
    const ev = evidence(a, layout, c);
    if (ev <= 0) continue;
    let score = shapeFactor(c) * ev;
    if (isWholeMessage(layout, c)) score = Math.max(score, shapeFactor(c) * 0.6);
    consider({ start: c.start, end: c.end, score, kind: 'keyword' }, normaliseCode(raw));
  }

  // `@host #code` markers that are not the origin-bound last line: a strong standalone hint.
  for (const m of findLooseOriginMarkers(text)) {
    const code = normaliseCode(m.code);
    if (urlSpans.some((s) => s.start < m.codeEnd && m.codeStart < s.end)) continue;
    const score = code.length >= 4 && code.length <= 12 ? 0.75 : 0.5;
    const existing = byCode.get(code) ?? 0;
    if (existing >= score) continue;
    consider(
      { start: m.codeStart, end: m.codeEnd, score, kind: existing > 0 ? 'keyword' : 'standalone' },
      code,
    );
  }

  // Standalone: a message that is only a code (ignoring a leading [Brand] and an app hash).
  if (state.best === null) {
    for (const c of candidates) {
      if (c.shape !== 'digits' || c.digits < 4 || c.digits > 8 || !isWholeMessage(layout, c)) continue;
      if (rejected(a, c, hash)) continue;
      const raw = text.slice(c.start, c.end);
      consider(
        { start: c.start, end: c.end, score: shapeFactor(c) * 0.6, kind: 'standalone' },
        normaliseCode(raw),
      );
    }
  }

  const chosen = state.best;
  if (chosen === null) return { found: null, runnerUp: 0 };
  const chosenCode = normaliseCode(text.slice(chosen.start, chosen.end));
  let runnerUp = 0;
  for (const [code, score] of byCode) if (code !== chosenCode && score > runnerUp) runnerUp = score;
  return { found: chosen, runnerUp };
}

// ---------------------------------------------------------------------------------------------------------
// Entry points

// The link finder and the code scanner both need the URL spans of the same text: keep the last result.
let spanCache: { text: string; spans: UrlSpan[] } = { text: '', spans: [] };

function urlSpansOf(text: string): UrlSpan[] {
  if (spanCache.text !== text) spanCache = { text, spans: findUrlSpans(text) };
  return spanCache.spans;
}

function cap(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  return value.length > max ? value.slice(0, max) : value;
}

function confidenceOf(found: Found, runnerUp: number): number {
  let conf = Math.min(found.kind === 'standalone' ? 0.7 : 0.97, found.score);
  // A close second candidate with another code makes the pick less certain.
  if (runnerUp >= THRESHOLD && found.score - runnerUp < 0.1) conf *= 0.8;
  return Math.round(Math.max(0.01, conf) * 100) / 100;
}

function linksOf(texts: readonly string[]): ExtractedLink[] {
  const links: ExtractedLink[] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    if (text === '') continue;
    for (const l of selectLinks(text, urlSpansOf(text))) {
      if (seen.has(l.url) || links.length >= MAX_LINKS) continue;
      seen.add(l.url);
      links.push(l);
    }
  }
  return links;
}

function extractUnsafe(input: ExtractionInput): ExtractionTrace {
  const record = (typeof input === 'object' && input !== null ? input : {}) as Partial<
    Record<string, unknown>
  >;
  const channel: Channel = record.channel === 'email' ? 'email' : 'sms';
  const text = cap(record.text, MAX_TEXT_CHARS);
  const subject = channel === 'email' ? cap(record.subject, MAX_SUBJECT_CHARS) : '';
  const html = channel === 'email' ? cap(record.html, MAX_HTML_CHARS) : '';
  const htmlText = html === '' ? '' : htmlToText(html).text;
  const links = linksOf([text, htmlText]);

  const origin = findOriginBound(text);
  if (origin !== null) {
    const extraction: Extraction = {
      code: normaliseCode(origin.code),
      kind: 'origin_bound',
      confidence: origin.strict ? 0.99 : 0.95,
      origin:
        origin.embeddedHost === undefined
          ? { host: origin.host }
          : { host: origin.host, embeddedHost: origin.embeddedHost },
      links,
    };
    return { extraction, rawCode: origin.code, source: 'text' };
  }

  const bodies: Array<{ body: string; source: CodeSource }> = [];
  if (text.trim() !== '') bodies.push({ body: text, source: 'text' });
  if (htmlText.trim() !== '') bodies.push({ body: htmlText, source: 'html' });
  if (bodies.length === 0 && subject !== '') bodies.push({ body: '', source: 'text' });
  const prefix = subject === '' ? '' : `${subject}\n\n`;
  for (const { body, source } of bodies) {
    const joined = prefix + body;
    const { found, runnerUp } = scanText(joined);
    if (found === null) continue;
    const rawCode = joined.slice(found.start, found.end);
    return {
      extraction: {
        code: normaliseCode(rawCode),
        kind: found.kind,
        confidence: confidenceOf(found, runnerUp),
        links,
      },
      rawCode,
      source: found.end <= subject.length ? 'subject' : source,
    };
  }
  return { extraction: { code: null, kind: null, confidence: 0, links }, rawCode: null, source: null };
}

/**
 * Extract the verification code and sign-in links of one message, with the raw code as written.
 * Never throws: malformed input yields no code.
 */
export function extractCodeTrace(input: ExtractionInput): ExtractionTrace {
  try {
    return extractUnsafe(input);
  } catch {
    // Defensive: the scanners are written not to throw; a bug must not stop an inbound pipeline.
    return { extraction: { code: null, kind: null, confidence: 0, links: [] }, rawCode: null, source: null };
  }
}

/** Extract the verification code and sign-in links of one message. Never throws. */
export function extractCode(input: ExtractionInput): Extraction {
  return extractCodeTrace(input).extraction;
}
