// HTML e-mail body to plain text, for code extraction. A single forward scan with indexOf jumps:
// no DOM, no regular expressions, linear in the input (capped at MAX_HTML_CHARS).
//
// - script, style, head, title, template, noscript, svg and similar containers are dropped;
// - elements hidden by the `hidden` attribute or by inline CSS (display:none, visibility:hidden,
//   mso-hide:all, opacity:0, font-size:0, max-height:0) are dropped, with everything inside them;
// - block elements and <br> become line breaks, table cells are separated by spaces;
// - links are kept: the anchor text is followed by ` <url>` (http and https only), and returned in `links`;
// - character references are decoded (named ones common in e-mail, and numeric ones).

import { MAX_HTML_CHARS, MAX_TEXT_CHARS } from './types';

export interface HtmlLink {
  url: string;
  text: string;
}

export interface HtmlText {
  text: string;
  links: HtmlLink[];
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'keygen',
  'basefont',
  'frame',
]);

/** Containers whose raw content is never text to show. */
const RAW_DROPPED = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'title',
  'textarea',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
]);

/** Elements whose content is parsed (to keep nesting right) but never shown. */
const ALWAYS_HIDDEN = new Set([
  'head',
  'svg',
  'math',
  'object',
  'select',
  'datalist',
  'map',
  'audio',
  'video',
]);

const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'center',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'ul',
  'br',
  'caption',
]);

const CELL = new Set(['td', 'th']);

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  zwnj: '',
  zwj: '',
  shy: '',
  lrm: '',
  rlm: '',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  deg: '°',
  times: '×',
  divide: '÷',
  para: '¶',
  iexcl: '¡',
  iquest: '¿',
  aacute: 'á',
  eacute: 'é',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  Aacute: 'Á',
  Eacute: 'É',
  Iacute: 'Í',
  Oacute: 'Ó',
  Uacute: 'Ú',
  agrave: 'à',
  egrave: 'è',
  ugrave: 'ù',
  acirc: 'â',
  ecirc: 'ê',
  icirc: 'î',
  ocirc: 'ô',
  ucirc: 'û',
  atilde: 'ã',
  otilde: 'õ',
  ntilde: 'ñ',
  Ntilde: 'Ñ',
  ccedil: 'ç',
  Ccedil: 'Ç',
  auml: 'ä',
  euml: 'ë',
  iuml: 'ï',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  aring: 'å',
  Aring: 'Å',
  oslash: 'ø',
  Oslash: 'Ø',
  aelig: 'æ',
  AElig: 'Æ',
};

const MAX_ENTITY = 32;

function isNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x3a
  );
}

function isHtmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/**
 * Decode character references; unknown or malformed ones stay as written. Stops once `maxOut` characters are
 * decoded (the rest of `s` is dropped), so a huge body costs no more than the text that will be kept.
 */
export function decodeEntities(s: string, maxOut = Number.POSITIVE_INFINITY): string {
  if (!s.includes('&')) return s;
  let out = '';
  let last = 0;
  let i = s.indexOf('&');
  while (i >= 0) {
    if (out.length > maxOut) return out;
    let j = i + 1;
    let replacement: string | null = null;
    if (s.charCodeAt(j) === 0x23) {
      j++;
      const hex = s.charCodeAt(j) === 0x78 || s.charCodeAt(j) === 0x58;
      if (hex) j++;
      const digitsFrom = j;
      while (j < s.length && j - digitsFrom < 8) {
        const c = s.charCodeAt(j);
        const ok = (c >= 48 && c <= 57) || (hex && ((c >= 65 && c <= 70) || (c >= 97 && c <= 102)));
        if (!ok) break;
        j++;
      }
      if (j > digitsFrom) {
        const value = Number.parseInt(s.slice(digitsFrom, j), hex ? 16 : 10);
        const valid = value > 0 && value <= 0x10ffff && !(value >= 0xd800 && value <= 0xdfff);
        replacement = valid ? String.fromCodePoint(value) : '\uFFFD';
        if (s.charCodeAt(j) === 0x3b) j++;
      }
    } else {
      while (j < s.length && j - i <= MAX_ENTITY && isNameChar(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) === 0x3b) {
        const name = s.slice(i + 1, j);
        const value = NAMED[name] ?? NAMED[name.toLowerCase()];
        if (value !== undefined) {
          replacement = value;
          j++;
        }
      }
    }
    if (replacement !== null) {
      out += s.slice(last, i) + replacement;
      last = j;
    }
    i = s.indexOf('&', Math.max(j, i + 1));
  }
  return out + s.slice(last);
}

function styleHidden(style: string): boolean {
  let s = '';
  for (let k = 0; k < style.length && s.length < 2048; k++) {
    const c = style.charCodeAt(k);
    if (!isHtmlSpace(c)) s += style[k]?.toLowerCase() ?? '';
  }
  if (s.includes('display:none') || s.includes('visibility:hidden') || s.includes('mso-hide:all'))
    return true;
  return zeroValue(s, 'opacity:') || zeroValue(s, 'font-size:') || zeroValue(s, 'max-height:');
}

/** True when `prop` is declared with a zero value (0, 0px, 0.0, 0em...). */
function zeroValue(s: string, prop: string): boolean {
  let at = s.indexOf(prop);
  while (at >= 0) {
    const before = at > 0 ? s.charCodeAt(at - 1) : 0x3b;
    if (before === 0x3b || before === 0x22 || before === 0x27 || at === 0) {
      let k = at + prop.length;
      let digits = '';
      while (k < s.length) {
        const c = s.charCodeAt(k);
        if ((c >= 48 && c <= 57) || c === 0x2e) digits += s[k];
        else break;
        k++;
      }
      if (digits !== '' && Number(digits) === 0) return true;
    }
    at = s.indexOf(prop, at + prop.length);
  }
  return false;
}

// Tag names are interned as small integers (no string per tag): the key of a name of up to 10 ASCII letters
// or digits is its base-37 value, case-insensitive; longer or other names share id 0 ("other").
const TAG_IDS = new Map<number, number>();
const TAG_NAMES: string[] = ['(other)'];
const IS_VOID = new Uint8Array(256);
const IS_BLOCK = new Uint8Array(256);
const IS_CELL = new Uint8Array(256);
const IS_RAW = new Uint8Array(256);
const IS_HIDDEN = new Uint8Array(256);
const TAG_A = internTag('a');

function nameKeyOf(name: string): number {
  let key = 0;
  for (let k = 0; k < name.length; k++) key = key * 37 + charKey(name.charCodeAt(k));
  return key;
}

/** 1..36 for ASCII letters (any case) and digits, 0 otherwise. */
function charKey(c: number): number {
  if (c >= 97 && c <= 122) return c - 96;
  if (c >= 65 && c <= 90) return c - 64;
  if (c >= 48 && c <= 57) return c - 21;
  return 0;
}

function internTag(name: string): number {
  const key = nameKeyOf(name);
  const known = TAG_IDS.get(key);
  if (known !== undefined) return known;
  const id = TAG_NAMES.length;
  TAG_NAMES.push(name);
  TAG_IDS.set(key, id);
  return id;
}

for (const name of VOID) IS_VOID[internTag(name)] = 1;
for (const name of BLOCK) IS_BLOCK[internTag(name)] = 1;
for (const name of CELL) IS_CELL[internTag(name)] = 1;
for (const name of RAW_DROPPED) IS_RAW[internTag(name)] = 1;
for (const name of ALWAYS_HIDDEN) IS_HIDDEN[internTag(name)] = 1;

/** Tag name starting at `from`: its id and where it ends. Names are letters, digits, `-`, `_`, `:`. */
function readTagName(html: string, from: number): { id: number; end: number } {
  let k = from;
  let key = 0;
  let plain = true;
  while (k < html.length) {
    const c = html.charCodeAt(k);
    if (!isNameChar(c)) break;
    const ck = charKey(c);
    if (ck === 0 || k - from >= 10) plain = false;
    else key = key * 37 + ck;
    k++;
  }
  return { id: plain ? (TAG_IDS.get(key) ?? 0) : 0, end: k };
}

interface Tag {
  id: number;
  end: number;
  selfClosing: boolean;
  href: string | null;
  hidden: boolean;
}

/** True when the attribute name html[from, to) equals `name` (ASCII case-insensitive). */
function attrIs(html: string, from: number, to: number, name: string): boolean {
  if (to - from !== name.length) return false;
  for (let k = 0; k < name.length; k++)
    if ((html.charCodeAt(from + k) | 0x20) !== name.charCodeAt(k)) return false;
  return true;
}

const styleMemo = new Map<string, boolean>();

function styleHiddenMemo(style: string): boolean {
  let hidden = styleMemo.get(style);
  if (hidden === undefined) {
    hidden = styleHidden(style);
    if (styleMemo.size < 1024) styleMemo.set(style, hidden);
  }
  return hidden;
}

/** Parse a start tag whose name starts at `from` (just after `<`); null when it never closes. */
function parseStartTag(html: string, from: number): Tag | null {
  const { id, end: nameEnd } = readTagName(html, from);
  let k = nameEnd;
  let href: string | null = null;
  let hidden = false;
  let selfClosing = false;
  while (k < html.length) {
    const c = html.charCodeAt(k);
    if (c === 0x3e) return { id, end: k + 1, selfClosing, href, hidden };
    if (isHtmlSpace(c)) {
      k++;
      continue;
    }
    if (c === 0x2f) {
      selfClosing = html.charCodeAt(k + 1) === 0x3e;
      k++;
      continue;
    }
    const attrStart = k;
    while (k < html.length) {
      const d = html.charCodeAt(k);
      if (isHtmlSpace(d) || d === 0x3d || d === 0x3e || (d === 0x2f && k > attrStart)) break;
      k++;
    }
    if (k === attrStart) k++;
    const attrEnd = k;
    selfClosing = false;
    while (k < html.length && isHtmlSpace(html.charCodeAt(k))) k++;
    let valueStart = k;
    let valueEnd = k;
    if (html.charCodeAt(k) === 0x3d) {
      k++;
      while (k < html.length && isHtmlSpace(html.charCodeAt(k))) k++;
      const q = html.charCodeAt(k);
      if (q === 0x22 || q === 0x27) {
        const close = html.indexOf(q === 0x22 ? '"' : "'", k + 1);
        if (close < 0) return null;
        valueStart = k + 1;
        valueEnd = close;
        k = close + 1;
      } else {
        valueStart = k;
        while (k < html.length && !isHtmlSpace(html.charCodeAt(k)) && html.charCodeAt(k) !== 0x3e) k++;
        valueEnd = k;
      }
    }
    if (attrIs(html, attrStart, attrEnd, 'href'))
      href = decodeEntities(html.slice(valueStart, valueEnd)).trim();
    else if (attrIs(html, attrStart, attrEnd, 'hidden')) hidden = true;
    else if (attrIs(html, attrStart, attrEnd, 'style')) {
      if (styleHiddenMemo(html.slice(valueStart, valueEnd))) hidden = true;
    } else if (attrIs(html, attrStart, attrEnd, 'type') && attrIs(html, valueStart, valueEnd, 'hidden'))
      hidden = true;
  }
  return null;
}

/** Index just after the end tag `</name ...>` (ASCII case-insensitive), or the end of the input. */
function skipRawText(html: string, from: number, name: string): number {
  let at = html.indexOf('</', from);
  while (at >= 0) {
    let match = true;
    for (let k = 0; k < name.length; k++) {
      let c = html.charCodeAt(at + 2 + k);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== name.charCodeAt(k)) {
        match = false;
        break;
      }
    }
    if (match && !isNameChar(html.charCodeAt(at + 2 + name.length))) {
      const close = html.indexOf('>', at + 2 + name.length);
      return close < 0 ? html.length : close + 1;
    }
    at = html.indexOf('</', at + 2);
  }
  return html.length;
}

function isHttpUrl(url: string): boolean {
  const lower = url.slice(0, 8).toLowerCase();
  return lower.startsWith('https://') || lower.startsWith('http://');
}

function isCollapsible(c: number): boolean {
  return isHtmlSpace(c) || c === 0xa0 || c === 0x200b || c === 0xfeff || c === 0x34f || c === 0x2007;
}

/** Output text with HTML whitespace collapsing and line breaks at block boundaries, capped at MAX_TEXT_CHARS. */
class TextBuilder {
  private readonly parts: string[] = [];
  length = 0;
  private pendingSpace = false;
  private pendingBreak = false;
  private atLineStart = true;

  full(): boolean {
    return this.length >= MAX_TEXT_CHARS;
  }

  /** Characters of input still worth decoding (decoding never makes text longer). */
  room(): number {
    return MAX_TEXT_CHARS - this.length;
  }

  private push(s: string): void {
    const room = MAX_TEXT_CHARS - this.length;
    if (room <= 0) return;
    const piece = s.length > room ? s.slice(0, room) : s;
    this.parts.push(piece);
    this.length += piece.length;
  }

  private separate(): void {
    if (this.pendingBreak) {
      if (this.length > 0) this.push('\n');
      this.atLineStart = true;
    } else if (this.pendingSpace && !this.atLineStart) this.push(' ');
    this.pendingBreak = false;
    this.pendingSpace = false;
  }

  /** Append decoded text; returns the words written, space-separated. */
  text(decoded: string): string {
    const words: string[] = [];
    const n = decoded.length;
    let k = 0;
    while (k < n) {
      let s = k;
      while (s < n && isCollapsible(decoded.charCodeAt(s))) s++;
      if (s > k) this.pendingSpace = true;
      if (s >= n) break;
      let e = s;
      while (e < n && !isCollapsible(decoded.charCodeAt(e))) e++;
      const run = decoded.slice(s, e);
      this.separate();
      this.push(run);
      this.atLineStart = false;
      words.push(run);
      k = e;
    }
    return words.join(' ');
  }

  space(): void {
    this.pendingSpace = true;
  }

  lineBreak(): void {
    this.pendingBreak = true;
  }

  toString(): string {
    return this.parts.join('');
  }
}

interface PendingLink {
  url: string;
  text: string;
}

/** Index after a match of `length` found at `at`, or -1 when not found. */
function after(at: number, length: number): number {
  return at < 0 ? -1 : at + length;
}

/** Convert an HTML body to text and collect its http(s) links (never throws; input capped). */
export function htmlToText(input: string): HtmlText {
  const html = input.length > MAX_HTML_CHARS ? input.slice(0, MAX_HTML_CHARS) : input;
  const out = new TextBuilder();
  const links: HtmlLink[] = [];
  // Open elements: ids and hidden flags in growable typed arrays; anchors keep their pending link.
  let stackIds = new Int32Array(256);
  let stackHidden = new Uint8Array(256);
  let depth = 0;
  const openCounts = new Int32Array(256);
  const linkAt = new Map<number, PendingLink>();
  let hiddenDepth = 0;
  let openLink: PendingLink | null = null;

  const emit = (from: number, to: number): void => {
    if (hiddenDepth > 0 || to <= from || out.full()) return;
    // Decoding never lengthens text: more than the remaining room (with entity slack) is never shown.
    const limit = Math.min(to, from + out.room() * 12);
    const shown = out.text(decodeEntities(html.slice(from, limit), out.room() + 1));
    if (openLink !== null && openLink.text.length < 300)
      openLink.text += openLink.text === '' ? shown : ` ${shown}`;
  };
  const closeLink = (link: PendingLink): void => {
    if (openLink === link) openLink = null;
    const text = link.text.trim();
    links.push({ url: link.url, text });
    if (hiddenDepth === 0 && text !== link.url) {
      out.space();
      out.text(`<${link.url}>`);
    }
  };
  const pop = (): void => {
    if (depth === 0) return;
    depth--;
    const id = stackIds[depth] ?? 0;
    openCounts[id] = (openCounts[id] ?? 1) - 1;
    const link = linkAt.get(depth);
    if (link !== undefined) {
      linkAt.delete(depth);
      closeLink(link);
    }
    if (stackHidden[depth] === 1) hiddenDepth--;
    if (IS_BLOCK[id] === 1) out.lineBreak();
  };
  const push = (id: number, hidden: boolean): void => {
    if (depth === stackIds.length) {
      const ids = new Int32Array(depth * 2);
      ids.set(stackIds);
      stackIds = ids;
      const hiddenFlags = new Uint8Array(depth * 2);
      hiddenFlags.set(stackHidden);
      stackHidden = hiddenFlags;
    }
    stackIds[depth] = id;
    stackHidden[depth] = hidden ? 1 : 0;
    depth++;
    openCounts[id] = (openCounts[id] ?? 0) + 1;
    if (hidden) hiddenDepth++;
  };

  let textFrom = 0;
  let i = 0;
  const n = html.length;
  while (i < n && !out.full()) {
    // Tags are dense in e-mail HTML: look a few characters ahead by hand before calling indexOf.
    let lt = i;
    const near = Math.min(n, i + 16);
    while (lt < near && html.charCodeAt(lt) !== 0x3c) lt++;
    if (lt === near) lt = html.indexOf('<', near);
    if (lt < 0) break;
    const next = html.charCodeAt(lt + 1);
    const isLetter = (next >= 65 && next <= 90) || (next >= 97 && next <= 122);
    if (!isLetter && next !== 0x2f && next !== 0x21 && next !== 0x3f) {
      // A lone `<` is text: keep scanning, flushing now and then so that a full output stops the loop.
      i = lt + 1;
      if (i - textFrom > 65536) {
        emit(textFrom, i);
        textFrom = i;
      }
      continue;
    }
    emit(textFrom, lt);
    if (next === 0x21) {
      // Comments, CDATA sections and doctypes.
      let end: number;
      if (html.startsWith('<!--', lt)) end = after(html.indexOf('-->', lt + 4), 3);
      else if (html.startsWith('<![CDATA[', lt)) end = after(html.indexOf(']]>', lt + 9), 3);
      else end = after(html.indexOf('>', lt + 2), 1);
      i = end < 0 ? html.length : end;
    } else if (next === 0x3f) {
      const close = html.indexOf('>', lt + 2);
      i = close < 0 ? html.length : close + 1;
    } else if (next === 0x2f) {
      const { id, end } = readTagName(html, lt + 2);
      const close = html.indexOf('>', end);
      i = close < 0 ? html.length : close + 1;
      if ((openCounts[id] ?? 0) > 0) {
        while (depth > 0) {
          const top = stackIds[depth - 1];
          pop();
          if (top === id) break;
        }
      } else if (IS_BLOCK[id] === 1) out.lineBreak();
    } else {
      const tag = parseStartTag(html, lt + 1);
      if (tag === null) {
        i = html.length;
        textFrom = i;
        break;
      }
      i = tag.end;
      const id = tag.id;
      if (IS_RAW[id] === 1) {
        if (!tag.selfClosing) i = skipRawText(html, i, TAG_NAMES[id] ?? '');
      } else {
        if (IS_BLOCK[id] === 1) out.lineBreak();
        else if (IS_CELL[id] === 1) out.space();
        if (IS_VOID[id] !== 1 && !tag.selfClosing) {
          const hidden = tag.hidden || IS_HIDDEN[id] === 1;
          if (id === TAG_A && tag.href !== null && isHttpUrl(tag.href) && hiddenDepth === 0 && !hidden) {
            // Nested anchors are invalid HTML; the inner one closes the outer one, as browsers do.
            if (openLink !== null) closeLink(openLink);
            const link: PendingLink = { url: tag.href, text: '' };
            openLink = link;
            linkAt.set(depth, link);
          }
          push(id, hidden);
        }
      }
    }
    textFrom = i;
  }
  emit(textFrom, html.length);
  while (depth > 0) pop();
  return { text: out.toString(), links };
}
