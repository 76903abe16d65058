// Hand-written tokeniser of message text, and the lexicon pass that marks code words and context words.
// One left-to-right pass over the characters, then a few passes over the tokens: linear in the input.
// Tokens live in a pooled structure of typed arrays (no object per token): a 64 KB storm of punctuation
// or one-letter words costs a few array writes per character and no garbage.

import * as chars from './chars';
import {
  buildLexicon,
  COMPOUND_NEGATIVE_HEADS,
  COMPOUND_TAILS,
  type LexEntry,
  type Lexicon,
  phraseHeadKey,
  type Role,
} from './keywords';

// Module-local copies: some module runners (vitest, CommonJS interop) turn every access to an imported
// binding into a getter call, which costs more than the tokeniser itself in its inner loops.
const { ALPHA, ASCII, CJK, charClass, DIGIT, foldWord, isLower, isUpper, LETTER, NEWLINE, SPACE } = chars;

export const WORD = 0;
export const RUN = 1; // CJK / Thai run
export const SYM = 2; // one punctuation or symbol character

export const R_CODE = 1;
export const R_WEAK = 2;
export const R_IMPERATIVE = 4;
export const R_NEGMOD = 8;
export const R_AFTER = 16;
export const R_PROMO = 32;
export const R_AMOUNT = 64;
export const R_CURRENCY = 128;
export const R_PHONE = 256;
export const R_CARD = 512;
export const R_ORDER = 1024;
export const R_UNIT = 2048;
export const R_DATE = 4096;
export const R_SPECIFIC = 8192;
/** Internal: the word is a copula (cached with the roles, turned into F_LINKER). */
const R_LINKER = 16384;
/** Internal: de, of, von... between a code word and its modifier (código de descuento). */
const R_LINKING = 32768;

const ROLE_BITS: Record<Role, number> = {
  code: R_CODE,
  weak: R_WEAK,
  imperative: R_IMPERATIVE,
  negmod: R_NEGMOD,
  after: R_AFTER,
  promo: R_PROMO,
  amount: R_AMOUNT,
  currency: R_CURRENCY,
  phone: R_PHONE,
  card: R_CARD,
  order: R_ORDER,
  unit: R_UNIT,
  date: R_DATE,
};

/** Gap before a token: nothing, one space-like character, more spacing on the same line, a line break. */
export const GAP_NONE = 0;
export const GAP_ONE = 1;
export const GAP_MORE = 2;
export const GAP_LINE = 3;

/** Token flags. */
export const F_HEAD_SINGLE = 1; // RUN: the head match is one character (only counts when glued)
export const F_TAIL_SINGLE = 2; // RUN: the tail match is one character
export const F_CODE_WORD = 4; // holds a code word not cancelled by a modifier
export const F_LINKER = 8; // a copula (is, est, ist, это): what precedes it describes something else
export const F_IN_URL = 16; // inside a URL or an e-mail address
export const F_CLAIMED = 32; // part of a multi-token candidate or of a rejected number group
export const F_NUMBER_PART = 64; // WORD: digits after 1,499. or 10: (no width of their own)
export const F_PHRASE = 128; // WORD: starts a phrase (see Analysis.phrases)

/**
 * Token table. Units are counted in halves (`unit2`, `width2()`): a word is 2, a CJK character 1
 * (two CJK characters make one word), punctuation 0.
 * Memory traffic dominates on long inputs, so the table is narrow and fields are only written for the kinds
 * that use them: kind, gap, flags, start, end, line, seg and ch for every token; unit2 and roles for WORD
 * and RUN; the digit/letter counts for WORD; headRoles/tailRoles for RUN. Readers check `kind`.
 */
export class Tokens {
  count = 0;
  /** ASCII capitals and small letters of the whole text (a message in capitals shouts). */
  upper = 0;
  lower = 0;
  kind: Uint8Array;
  gap: Uint8Array;
  flags: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  line: Int32Array;
  seg: Int32Array;
  unit2: Int32Array;
  ch: Uint16Array;
  /** Saturating counts (65535): only small values and zero/non-zero matter. */
  nDigit: Uint16Array;
  nAlpha: Uint16Array;
  nLetter: Uint16Array;
  roles: Int32Array;
  headRoles: Int32Array;
  tailRoles: Int32Array;

  constructor(capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.gap = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.line = new Int32Array(capacity);
    this.seg = new Int32Array(capacity);
    this.unit2 = new Int32Array(capacity);
    this.ch = new Uint16Array(capacity);
    this.nDigit = new Uint16Array(capacity);
    this.nAlpha = new Uint16Array(capacity);
    this.nLetter = new Uint16Array(capacity);
    this.roles = new Int32Array(capacity);
    this.headRoles = new Int32Array(capacity);
    this.tailRoles = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.kind.length;
  }

  has(i: number, flag: number): boolean {
    return i >= 0 && i < this.count && ((this.flags[i] ?? 0) & flag) !== 0;
  }

  /** Width in half units: 2 for a word (0 for the tail of a number), the length of a CJK run, 0 otherwise. */
  width2(i: number): number {
    const kind = this.kind[i];
    if (kind === WORD) return ((this.flags[i] ?? 0) & F_NUMBER_PART) !== 0 ? 0 : 2;
    if (kind === RUN) return (this.end[i] ?? 0) - (this.start[i] ?? 0);
    return 0;
  }
}

const NO_I32 = new Int32Array(0);
const NO_U8 = new Uint8Array(0);

/**
 * Keyword occurrences in text order, as parallel typed arrays (units are halves, as in Tokens); entries at
 * and beyond `length` are unused. Typed arrays: keyword storms push tens of thousands of hits, and growing
 * five plain arrays (one of booleans) cost more than the scan itself.
 */
export class Hits {
  length = 0;
  // Shared empty arrays until the first push: most messages have no hit of a given kind.
  u0 = NO_I32;
  u1 = NO_I32;
  seg = NO_I32;
  line = NO_I32;
  /** 1 for a specific code word. */
  specific = NO_U8;

  /** Empty the list (keeping its arrays) and return it. */
  clear(): Hits {
    this.length = 0;
    return this;
  }

  push(u0: number, u1: number, seg: number, line: number, specific: boolean): void {
    if (this.length === this.u0.length) this.grow();
    const h = this.length++;
    this.u0[h] = u0;
    this.u1[h] = u1;
    this.seg[h] = seg;
    this.line[h] = line;
    this.specific[h] = specific ? 1 : 0;
  }

  private grow(): void {
    const capacity = Math.max(16, this.u0.length * 2);
    const widen = <T extends Int32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.u0 = widen(this.u0, new Int32Array(capacity));
    this.u1 = widen(this.u1, new Int32Array(capacity));
    this.seg = widen(this.seg, new Int32Array(capacity));
    this.line = widen(this.line, new Int32Array(capacity));
    this.specific = widen(this.specific, new Uint8Array(capacity));
  }

  /** Index of the last hit starting before unit `u2` (halves), or -1 (binary search; hits are in text order). */
  lastBefore(u2: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.u0[mid] ?? 0) < u2) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

export interface Span {
  start: number;
  end: number;
}

export interface Phrase {
  last: number;
  bits: number;
}

export interface Analysis {
  text: string;
  tokens: Tokens;
  /** Phrases by first token (tokens flagged F_PHRASE). */
  phrases: Map<number, Phrase>;
  codeHits: Hits;
  weakHits: Hits;
  imperativeHits: Hits;
  /** Segments (sentences) holding promotion words or cancelled code words. */
  promoSegs: Set<number>;
  promo: boolean;
  lineCount: number;
}

const LEXICON: Lexicon = buildLexicon(foldWord);

/**
 * Bitmap over the first two characters of `phraseHeadKey` (length class, first and second character): a word
 * whose pair is absent cannot start a phrase, so the Set lookup runs only for the few words that pass.
 * Exact: it only ever skips words the Set would reject too.
 */
const PHRASE_HEAD_PAIRS = new Uint8Array(4 * 128 * 128);
for (const head of LEXICON.phraseHeads) PHRASE_HEAD_PAIRS[head >> 7] = 1;
/**
 * ASCII first characters of the phrase keys made of digits only (the lookup key of a word without letters is
 * its text): any other word of digits starting with an ASCII character starts no phrase.
 */
const DIGIT_PHRASE_FIRST = new Uint8Array(128);
for (const key of LEXICON.phrases.keys()) {
  let digits = key.length > 0;
  for (let k = 0; k < key.length; k++) if (charClass(key.charCodeAt(k)) !== DIGIT) digits = false;
  const c = key.charCodeAt(0);
  if (digits && c < 128) DIGIT_PHRASE_FIRST[c] = 1;
}

/** Words after which a full stop does not end the sentence (Rs. 500, No. 12, 5 min. valid). */
const ABBREVIATIONS = new Set([
  'rs',
  'no',
  'nr',
  'dr',
  'mr',
  'mrs',
  'ms',
  'st',
  'sr',
  'jr',
  'vs',
  'etc',
  'approx',
  'inc',
  'ltd',
  'co',
  'avl',
  'bal',
  'acct',
  'ref',
  'tel',
  'ph',
  'min',
  'mins',
  'sec',
  'hr',
  'hrs',
  'e',
  'i',
  'ie',
  'eg',
  'p',
  'pp',
  'vol',
  'fig',
  'dept',
  'ca',
  'bzw',
  'z',
  'b',
  'usw',
  'ggf',
  'inkl',
  'zzgl',
  'evtl',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
  'a',
  'c',
  'u',
  's',
  'v',
  'op',
  'mt',
  'ft',
  'vn',
  'vnd',
  'tk',
  'stk',
  'tp',
  'q',
  'hn',
  'hcm',
]);

const LINKERS = new Set([
  'is',
  'are',
  'was',
  'est',
  'ist',
  'lautet',
  'es',
  'è',
  'é',
  'är',
  'er',
  'jest',
  'wynosi',
  'je',
  'là',
  'la',
  'это',
  'равен',
  'הוא',
  'היא',
  'است',
  'هو',
  'olan',
  'adalah',
  'ialah',
  'είναι',
  'on',
  'zijn',
  'será',
  'sera',
]);

const LINKERS_FOLDED = new Set([...LINKERS].map((w) => foldWord(w)));
const MAX_KEYWORD_WORD = 40;
/** Roles of one-letter ASCII words (x, h, a...), precomputed: storms of single letters are common input. */
const SINGLE_ROLES = new Int32Array(128);
const SINGLE_FOLDED: string[] = [];
for (let c = 0; c < 128; c++) SINGLE_FOLDED.push(String.fromCharCode(c).toLowerCase());
const MEMO_LIMIT = 4096;
/** Slots of the recent-word cache of `analyse` (a power of two). */
const RECENT_SLOTS = 16;
const LINKING_WORDS = new Set(['de', 'di', 'do', 'da', 'del', 'du', 'des', 'von', 'of', 'for', 'la', 'le']);
const HEBREW_PREFIXES = new Set(['ה', 'ב', 'ל', 'ו', 'ש', 'מ', 'כ']);

let pool = new Tokens(1024);
// Hit lists are pooled like the token table (an Analysis is valid until the next call): no allocation per message.
const codeHitPool = new Hits();
const weakHitPool = new Hits();
const imperativeHitPool = new Hits();

function grow(t: Tokens, needed: number): Tokens {
  if (needed <= t.capacity) return t;
  let capacity = t.capacity;
  while (capacity < needed) capacity *= 2;
  return new Tokens(capacity);
}

/** `t.count` must point just after the word before the dot. */
function isAbbreviation(text: string, t: Tokens, dot: number): boolean {
  const p = t.count - 1;
  if (p < 0 || t.kind[p] !== WORD || t.end[p] !== dot || (t.nDigit[p] ?? 0) > 0) return false;
  const s = t.start[p] ?? 0;
  if (dot - s > 6) return false;
  return ABBREVIATIONS.has(text.slice(s, dot).toLowerCase());
}

/**
 * Split text into WORD, RUN and SYM tokens with lines, sentence segments and word-unit positions.
 * The returned table is pooled: it is valid until the next call.
 */
export function tokenize(text: string): Tokens {
  // A token needs at least one character; +1 keeps the table non-empty.
  pool = grow(pool, text.length + 1);
  const t = pool;
  // Local references: the inner loop writes several arrays per token.
  const { kind: kindA, gap: gapA, flags: flagsA, start: startA, end: endA, line: lineA, seg: segA } = t;
  const { unit2: unitA, ch: chA, nDigit: digitA, nAlpha: alphaA, nLetter: letterA, roles: rolesA } = t;
  const { headRoles: headA, tailRoles: tailA } = t;
  const n = text.length;
  let count = 0;
  let i = 0;
  let line = 0;
  let seg = 0;
  let unit2 = 0;
  let spaces = 0;
  let breaks = 0;
  let pendingSegEnd = false;
  let lastCh = 0;
  let upper = 0;
  let lower = 0;
  // The character that ended the previous token was already read (word scan, full-stop look-ahead): reuse it.
  let peekAt = -1;
  let peekCode = 0;
  while (i < n) {
    const c = i === peekAt ? peekCode : text.charCodeAt(i);
    const cls = c < 128 ? (ASCII[c] ?? 0) : charClass(c);
    if (cls === SPACE) {
      spaces++;
      i++;
      continue;
    }
    if (cls === NEWLINE) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      breaks++;
      line++;
      i++;
      continue;
    }
    const k = count;
    const gap = breaks > 0 ? GAP_LINE : spaces === 0 ? GAP_NONE : spaces === 1 ? GAP_ONE : GAP_MORE;
    if (pendingSegEnd) {
      // "code is 1234. valid..." lower-case after a full stop: same sentence (SMS punctuation is loose).
      const lowerNext = breaks === 0 && c >= 97 && c <= 122;
      if (!lowerNext && (gap !== GAP_NONE || isFullwidthEnd(lastCh))) seg++;
      else if (breaks > 0) seg++;
      pendingSegEnd = false;
    } else if (breaks > 0) seg++;
    spaces = 0;
    breaks = 0;
    startA[k] = i;
    chA[k] = c;
    gapA[k] = gap;
    lineA[k] = line;
    segA[k] = seg;
    let end: number;
    let flags = 0;
    if (cls === DIGIT || cls === ALPHA || cls === LETTER) {
      kindA[k] = WORD;
      // The first character is already classified: count it and scan from the next one.
      let nDigit = cls === DIGIT ? 1 : 0;
      let nAlpha = cls === ALPHA ? 1 : 0;
      let nLetter = cls === LETTER ? 1 : 0;
      if (cls === ALPHA) {
        if (c <= 90) upper++;
        else lower++;
      }
      let j = i + 1;
      let prevCls = cls;
      while (j < n) {
        const d = text.charCodeAt(j);
        const dc = d < 128 ? (ASCII[d] ?? 0) : charClass(d);
        peekAt = j;
        peekCode = d;
        if (dc !== DIGIT && dc !== ALPHA && dc !== LETTER) break;
        // Digits glued to non-Latin letters (код1234, ב123456) are separate words; ASCII letters and digits stay together.
        if ((dc === DIGIT && prevCls === LETTER) || (dc === LETTER && prevCls === DIGIT)) {
          if (!(d >= 0x300 && d <= 0x36f)) break;
        }
        if (dc === DIGIT) nDigit++;
        else if (dc === ALPHA) {
          nAlpha++;
          if (d <= 90) upper++;
          else lower++;
        } else nLetter++;
        prevCls = dc;
        j++;
      }
      end = j;
      // The parts of one number (1,499.00, 10:45) count as one word for distances.
      let width2 = 2;
      if (nDigit > 0 && gap === GAP_NONE && k >= 2 && kindA[k - 1] === SYM && gapA[k - 1] === GAP_NONE) {
        const sc = chA[k - 1];
        const numberBefore = kindA[k - 2] === WORD && (digitA[k - 2] ?? 0) > 0;
        if ((sc === 0x2e || sc === 0x2c || sc === 0x3a) && numberBefore) {
          width2 = 0;
          flags = F_NUMBER_PART;
        }
      }
      digitA[k] = nDigit > 0xffff ? 0xffff : nDigit;
      alphaA[k] = nAlpha > 0xffff ? 0xffff : nAlpha;
      letterA[k] = nLetter > 0xffff ? 0xffff : nLetter;
      rolesA[k] = 0;
      unitA[k] = unit2;
      unit2 += width2;
    } else if (cls === CJK) {
      kindA[k] = RUN;
      let j = i;
      while (j < n && charClass(text.charCodeAt(j)) === CJK) j++;
      end = j;
      rolesA[k] = 0;
      headA[k] = 0;
      tailA[k] = 0;
      unitA[k] = unit2;
      unit2 += j - i;
    } else {
      kindA[k] = SYM;
      end = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? i + 2 : i + 1;
      if (isSentenceEnd(c)) {
        if (c !== 0x2e) pendingSegEnd = true;
        else {
          // A full stop glued to what follows (1.5, a.b) ends nothing; before a space, not after "Rs", "No"...
          const next = text.charCodeAt(i + 1);
          peekAt = i + 1;
          peekCode = next;
          const spaced = Number.isNaN(next) || next <= 0x20 || next === 0xa0;
          pendingSegEnd = false;
          if (spaced) {
            t.count = count;
            pendingSegEnd = !isAbbreviation(text, t, i);
          }
        }
      }
    }
    flagsA[k] = flags;
    endA[k] = end;
    lastCh = c;
    count = k + 1;
    i = end;
  }
  t.count = count;
  t.upper = upper;
  t.lower = lower;
  return t;
}

function isSentenceEnd(c: number): boolean {
  return c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3b || c === 0x2026 || isFullwidthEnd(c);
}

function isFullwidthEnd(c: number): boolean {
  return c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 0xff1b || c === 0x61f || c === 0x6d4;
}

// ---------------------------------------------------------------------------------------------------------
// Lexicon matching

function camelParts(raw: string): string[] | null {
  let parts: string[] | null = null;
  let from = 0;
  for (let k = 1; k < raw.length; k++) {
    if (isUpper(raw.charCodeAt(k)) && isLower(raw.charCodeAt(k - 1))) {
      parts ??= [];
      parts.push(raw.slice(from, k));
      from = k;
    }
  }
  if (parts === null) return null;
  parts.push(raw.slice(from));
  return parts;
}

function isAllUpper(raw: string): boolean {
  let letters = 0;
  for (let k = 0; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    if (isLower(c)) return false;
    if (isUpper(c)) letters++;
  }
  return letters > 0;
}

function rolesOf(
  entries: readonly LexEntry[] | undefined,
  raw: string,
  camel: boolean,
  suffix: number,
): number {
  if (entries === undefined) return 0;
  let bits = 0;
  for (const e of entries) {
    if (e.maxSuffix < suffix) continue;
    if (e.upperOnly && !camel && !isAllUpper(raw)) continue;
    bits |= ROLE_BITS[e.role];
    if (e.role === 'code' && e.specific) bits |= R_SPECIFIC;
  }
  return bits;
}

function matchFolded(folded: string, raw: string, camel: boolean): number {
  const words = LEXICON.words;
  let bits = 0;
  // Keys of two characters take no suffix; longer words must start like some key (cheap filter first).
  if (folded.length <= 2) return rolesOf(words.get(folded), raw, camel, 0);
  if (LEXICON.prefix3.has(folded.slice(0, 3))) {
    bits = rolesOf(words.get(folded), raw, camel, 0);
    if (bits !== 0) return bits;
    const min = Math.max(3, folded.length - LEXICON.maxSuffix);
    for (let k = folded.length - 1; k >= min; k--) {
      bits = rolesOf(words.get(folded.slice(0, k)), raw, camel, folded.length - k);
      if (bits !== 0) return bits;
    }
  }
  if (folded.length >= 4 && HEBREW_PREFIXES.has(folded[0] ?? '')) {
    bits = rolesOf(words.get(folded.slice(1)), raw, camel, 0);
    if (bits !== 0) return bits;
  }
  if (folded.length >= 4 && folded.startsWith('ال')) {
    bits = rolesOf(words.get(folded.slice(2)), raw, camel, 0);
    if (bits !== 0) return bits;
  }
  if (folded.length >= 8) {
    for (const tail of COMPOUND_TAILS) {
      // The tail ends at most three letters before the end (Verifizierungscode, vahvistuskoodia).
      const at = folded.indexOf(tail, Math.max(5, folded.length - tail.length - 3));
      if (at < 0) continue;
      const head = folded.slice(0, at);
      for (const neg of COMPOUND_NEGATIVE_HEADS) {
        if (head.startsWith(neg) || head.endsWith(neg) || head.endsWith(`${neg}s`)) return R_NEGMOD | R_PROMO;
      }
      return R_CODE | R_SPECIFIC;
    }
  }
  return 0;
}

function wordRoles(raw: string): number {
  const folded = foldWord(raw);
  let bits = matchFolded(folded, raw, false);
  if (bits === 0) {
    const parts = camelParts(raw);
    if (parts !== null) {
      for (const p of parts) if (p.length >= 2) bits |= matchFolded(foldWord(p), p, true);
    }
  }
  if (raw.length <= 6) {
    if (LINKERS_FOLDED.has(folded)) bits |= R_LINKER;
    if (LINKING_WORDS.has(folded)) bits |= R_LINKING;
  }
  return bits;
}

for (let c = 0; c < 128; c++) {
  if (chars.ASCII[c] === chars.ALPHA) SINGLE_ROLES[c] = wordRoles(String.fromCharCode(c));
}

type PhraseList = Lexicon['phrases'] extends Map<string, infer L> ? L : never;
/**
 * Phrases led by each one-character ASCII word, as `analyse` would look them up (head filter, then the folded
 * word, which for a digit is the digit itself): storms of single characters skip the filter and the lookup.
 */
const SINGLE_PHRASES: Array<PhraseList | undefined> = [];
for (let c = 0; c < 128; c++) {
  const head = phraseHeadKey(1, c, 0, 0);
  const filtered = head >= 0 && !LEXICON.phraseHeads.has(head);
  SINGLE_PHRASES.push(filtered ? undefined : LEXICON.phrases.get(SINGLE_FOLDED[c] ?? ''));
}

/** The next word token of a phrase: spaced on the same line, or glued through one hyphen, slash or apostrophe. */
function nextPhraseWord(t: Tokens, from: number): number {
  const nx = from + 1;
  if (nx >= t.count) return -1;
  const kind = t.kind[nx];
  const gap = t.gap[nx];
  if (kind === WORD && (gap === GAP_ONE || gap === GAP_MORE)) return nx;
  if (kind !== SYM) return -1;
  const ch = t.ch[nx];
  const after = nx + 1;
  if (after >= t.count || t.kind[after] !== WORD) return -1;
  if (gap === GAP_NONE && (ch === 0x2d || ch === 0x2f || ch === 0x27) && t.gap[after] === GAP_NONE)
    return after;
  if (ch === 0x2d && gap !== GAP_LINE && t.gap[after] === GAP_ONE) return after;
  return -1;
}

function scanRun(t: Tokens, k: number, text: string, a: Analysis): void {
  const cjk = LEXICON.cjk;
  const start = t.start[k] ?? 0;
  const end = t.end[k] ?? 0;
  const unit2 = t.unit2[k] ?? 0;
  const seg = t.seg[k] ?? 0;
  const line = t.line[k] ?? 0;
  let p = start;
  while (p < end) {
    const bucket = cjk.get(text.charCodeAt(p));
    let matched = 0;
    if (bucket !== undefined) {
      for (const e of bucket) {
        const len = e.text.length;
        if (p + len > end || !text.startsWith(e.text, p)) continue;
        matched = len;
        const bit = ROLE_BITS[e.role];
        t.roles[k] = (t.roles[k] ?? 0) | bit;
        if (p === start) {
          t.headRoles[k] = (t.headRoles[k] ?? 0) | bit;
          if (len === 1) t.flags[k] = (t.flags[k] ?? 0) | F_HEAD_SINGLE;
        }
        if (p + len >= end - 1) {
          t.tailRoles[k] = (t.tailRoles[k] ?? 0) | bit;
          if (len === 1 && p + 1 === end) t.flags[k] = (t.flags[k] ?? 0) | F_TAIL_SINGLE;
        }
        const u0 = unit2 + (p - start);
        if (e.role === 'code') {
          t.flags[k] = (t.flags[k] ?? 0) | F_CODE_WORD;
          if (e.specific) t.roles[k] = (t.roles[k] ?? 0) | R_SPECIFIC;
          a.codeHits.push(u0, u0 + len, seg, line, e.specific);
        } else if (e.role === 'weak') a.weakHits.push(u0, u0 + len, seg, line, false);
        else if (e.role === 'imperative') a.imperativeHits.push(u0, u0 + len, seg, line, false);
        else if (e.role === 'negmod') a.promoSegs.add(seg);
        break;
      }
    }
    p += matched > 0 ? matched : 1;
  }
}

/** Flag the tokens that overlap a span (URLs, e-mail addresses). */
function markProtected(t: Tokens, spans: Span[]): void {
  if (spans.length === 0) return;
  spans.sort((x, y) => x.start - y.start);
  let s = 0;
  const { start: startA, end: endA, flags: flagsA } = t;
  for (let k = 0; k < t.count; k++) {
    const start = startA[k] ?? 0;
    while (s < spans.length && (spans[s]?.end ?? 0) <= start) s++;
    const span = spans[s];
    if (span !== undefined && span.start < (endA[k] ?? 0) && start < span.end)
      flagsA[k] = (flagsA[k] ?? 0) | F_IN_URL;
  }
}

/**
 * Tokenise and mark code words, context words and promotions; tokens inside `protectedSpans` (URLs, e-mail
 * addresses) are flagged F_IN_URL and carry no role. The result is valid until the next call.
 */
export function analyse(text: string, protectedSpans: Span[] = []): Analysis {
  const t = tokenize(text);
  markProtected(t, protectedSpans);
  const a: Analysis = {
    text,
    tokens: t,
    phrases: new Map(),
    codeHits: codeHitPool.clear(),
    weakHits: weakHitPool.clear(),
    imperativeHits: imperativeHitPool.clear(),
    promoSegs: new Set(),
    promo: false,
    lineCount: t.count === 0 ? 0 : (t.line[t.count - 1] ?? 0) + 1,
  };
  const n = t.count;
  // Roles of the words seen in this text (bounded: a flood of distinct words is just recomputed).
  const memo = new Map<string, number>();
  const rolesOfWord = (raw: string): number => {
    let roles = memo.get(raw);
    if (roles === undefined) {
      roles = wordRoles(raw);
      if (memo.size < MEMO_LIMIT) memo.set(raw, roles);
    }
    return roles;
  };
  const foldMemo = new Map<string, string>();
  // Same recent-word cache as for the roles below: a repeated word is compared in place, not sliced again.
  const recentFoldRaw: string[] = new Array<string>(RECENT_SLOTS).fill('');
  const recentFolded: string[] = new Array<string>(RECENT_SLOTS).fill('');
  const foldAt = (k: number): string => {
    const s0 = t.start[k] ?? 0;
    const len = (t.end[k] ?? 0) - s0;
    const c = text.charCodeAt(s0);
    if (len === 1 && c < 128) return SINGLE_FOLDED[c] ?? '';
    const slot = (c + len * 7) & (RECENT_SLOTS - 1);
    const seen = recentFoldRaw[slot] ?? '';
    if (seen.length === len && text.startsWith(seen, s0)) return recentFolded[slot] ?? '';
    const raw = text.slice(s0, s0 + len);
    let f = foldMemo.get(raw);
    if (f === undefined) {
      f = foldWord(raw);
      if (foldMemo.size < MEMO_LIMIT) foldMemo.set(raw, f);
    }
    recentFoldRaw[slot] = raw;
    recentFolded[slot] = f;
    return f;
  };

  const {
    kind: kindA,
    start: startA,
    end: endA,
    nAlpha: alphaA,
    nLetter: letterA,
    roles: rolesA,
    flags: flagsA,
  } = t;
  // Pass 1: roles of single words, and phrases (sign in, mot de passe, ma xac thuc) whose roles go to every
  // word of the phrase (ORed: later words keep their own roles too).
  const phraseHeads = LEXICON.phraseHeads;
  const recentRaw: string[] = new Array<string>(RECENT_SLOTS).fill('');
  const recentRoles: number[] = new Array<number>(RECENT_SLOTS).fill(0);
  for (let k = 0; k < n; k++) {
    if (kindA[k] !== WORD || ((flagsA[k] ?? 0) & F_IN_URL) !== 0) continue;
    const s0 = startA[k] ?? 0;
    const len = (endA[k] ?? 0) - s0;
    if (len > MAX_KEYWORD_WORD) continue;
    const hasLetters = (alphaA[k] ?? 0) + (letterA[k] ?? 0) > 0;
    const c0 = text.charCodeAt(s0);
    // A word of digits has no roles, and starts a phrase only if a phrase starts with digits (2-step...).
    if (!hasLetters && c0 < 128 && DIGIT_PHRASE_FIRST[c0] === 0) continue;
    if (hasLetters) {
      let roles: number;
      if (len === 1 && c0 < 128) roles = SINGLE_ROLES[c0] ?? 0;
      else {
        // Storms repeat a handful of words: compare in place with the last word seen in this slot instead of
        // slicing and hashing every occurrence (rolesOfWord depends on the characters only).
        const slot = (c0 + len * 7) & (RECENT_SLOTS - 1);
        const seen = recentRaw[slot] ?? '';
        if (seen.length === len && text.startsWith(seen, s0)) roles = recentRoles[slot] ?? 0;
        else {
          const raw = text.slice(s0, s0 + len);
          roles = rolesOfWord(raw);
          recentRaw[slot] = raw;
          recentRoles[slot] = roles;
        }
        // "15% off" is a promotion whatever the language around it.
        if (len === 3 && k > 0 && t.ch[k - 1] === 0x25 && text.slice(s0, s0 + 3).toLowerCase() === 'off') {
          roles |= R_PROMO;
        }
      }
      if ((roles & R_LINKER) !== 0) flagsA[k] = (flagsA[k] ?? 0) | F_LINKER;
      rolesA[k] = (rolesA[k] ?? 0) | (roles & ~(R_LINKER | R_LINKING));
    }
    let list: PhraseList | undefined;
    if (len === 1 && c0 < 128) list = SINGLE_PHRASES[c0];
    else {
      // Cheap filter before folding: phrases start with one of a few words (sign, log, one, mot, ma...).
      const head = phraseHeadKey(len, c0, text.charCodeAt(s0 + 1), text.charCodeAt(s0 + 2));
      if (head >= 0 && (PHRASE_HEAD_PAIRS[head >> 7] === 0 || !phraseHeads.has(head))) continue;
      list = LEXICON.phrases.get(hasLetters ? foldAt(k) : text.slice(s0, s0 + len));
    }
    if (list === undefined) continue;
    for (const phrase of list) {
      let at = k;
      let ok = true;
      for (let w = 1; w < phrase.words.length && ok; w++) {
        const nx = nextPhraseWord(t, at);
        if (nx < 0) ok = false;
        else {
          const want = phrase.words[w] ?? '';
          const got = foldAt(nx);
          const lastWord = w === phrase.words.length - 1;
          ok =
            got === want ||
            (lastWord && got.startsWith(want) && got.length - want.length <= phrase.entry.maxSuffix);
          at = nx;
        }
      }
      if (!ok) continue;
      let bits = ROLE_BITS[phrase.entry.role];
      if (phrase.entry.role === 'code' && phrase.entry.specific) bits |= R_SPECIFIC;
      a.phrases.set(k, { last: at, bits });
      flagsA[k] = (flagsA[k] ?? 0) | F_PHRASE;
      for (let m = k; m <= at; m++) if (t.kind[m] === WORD) t.roles[m] = (t.roles[m] ?? 0) | bits;
      break;
    }
  }

  // Pass 2, in text order: keyword hits (code words cancelled by "promo code" / "código promocional").
  const prevWord = (k: number): number => {
    for (let m = k - 1; m >= 0 && m >= k - 3; m--) {
      const kind = t.kind[m];
      if (kind === WORD) return t.seg[m] === t.seg[k] ? m : -1;
      if (kind === RUN || t.ch[m] !== 0x2d) return -1;
    }
    return -1;
  };
  const nextWord = (k: number): number => {
    for (let m = k + 1; m < n && m <= k + 3; m++) {
      if (t.gap[m] === GAP_LINE) return -1;
      const kind = t.kind[m];
      if (kind === WORD) return m;
      if (kind === RUN || (t.ch[m] !== 0x2d && t.ch[m] !== 0x3a)) return -1;
    }
    return -1;
  };
  const isNegated = (first: number, last: number): boolean => {
    const before = prevWord(first);
    if (before >= 0 && ((t.roles[before] ?? 0) & (R_NEGMOD | R_CODE)) === R_NEGMOD) return true;
    let nx = nextWord(last);
    // Linking words (de, of, von...) have at most three letters.
    const short = nx >= 0 && (t.end[nx] ?? 0) - (t.start[nx] ?? 0) <= 3;
    if (short && (rolesOfWord(text.slice(t.start[nx], t.end[nx])) & R_LINKING) !== 0) nx = nextWord(nx);
    return nx >= 0 && ((t.roles[nx] ?? 0) & R_AFTER) !== 0;
  };
  let k = 0;
  while (k < n) {
    const kind = kindA[k];
    if (kind === RUN) {
      scanRun(t, k, text, a);
      k++;
      continue;
    }
    if (kind !== WORD) {
      k++;
      continue;
    }
    const phrase = ((flagsA[k] ?? 0) & F_PHRASE) !== 0 ? a.phrases.get(k) : undefined;
    const bits = phrase === undefined ? (rolesA[k] ?? 0) : phrase.bits;
    if ((bits & (R_CODE | R_WEAK | R_IMPERATIVE | R_PROMO)) === 0) {
      k++;
      continue;
    }
    const last = phrase === undefined ? k : phrase.last;
    const u0 = t.unit2[k] ?? 0;
    const u1 = (t.unit2[last] ?? 0) + t.width2(last);
    const seg = t.seg[k] ?? 0;
    const line = t.line[last] ?? 0;
    const specific = (bits & R_SPECIFIC) !== 0;
    if ((bits & R_CODE) !== 0) {
      if (isNegated(k, last)) a.promoSegs.add(seg);
      else {
        for (let m = k; m <= last; m++) t.flags[m] = (t.flags[m] ?? 0) | F_CODE_WORD;
        a.codeHits.push(u0, u1, seg, line, specific);
      }
    } else if ((bits & R_WEAK) !== 0) a.weakHits.push(u0, u1, seg, line, false);
    if ((bits & R_IMPERATIVE) !== 0) a.imperativeHits.push(u0, u1, seg, line, false);
    if ((bits & (R_PROMO | R_CODE)) === R_PROMO) a.promoSegs.add(seg);
    k = last + 1;
  }
  a.promo = a.promoSegs.size > 0;
  return a;
}
