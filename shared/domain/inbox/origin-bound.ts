// Origin-bound one-time code messages (WICG "Origin-bound one-time codes delivered via SMS").
//
// The last line of the message is `@top-level-host #code`, optionally followed by ` @embedded-host`;
// anything after that is ignored. `parseOriginBound` follows the spec's parsing steps literally, with two
// deliberate restrictions, because the result is used to fill a login form:
//   - hosts must be valid domain strings (no IP address literals, no ports, no paths), compared in ASCII
//     lower case (IDNs go through `domainToASCII`);
//   - the code must be 1-64 ASCII letters, digits or inner hyphens.
// `parseOriginBoundLenient` also takes what Apple devices send and accept: the older `%embedded-host`
// sigil, spaces after `#` or between fields, trailing spaces or blank lines, and trailing punctuation after
// the code. `findLooseOriginMarkers` finds `@host #code` pairs that are not on the last line (not
// spec-valid; the engine treats them as a standalone hint).

import { domainToASCII } from 'node:url';

export interface OriginBoundCode {
  host: string;
  embeddedHost?: string;
  code: string;
  /** Offsets of the code in the parsed message. */
  codeStart: number;
  codeEnd: number;
  /** True when the message is valid per the spec (with the restrictions above). */
  strict: boolean;
}

const MAX_HOST = 253;
const MAX_CODE = 64;

function isAsciiWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isHorizontalSpace(c: number): boolean {
  return (
    c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f
  );
}

function isLdh(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 0x2d;
}

/** The ASCII lower-case form of a valid domain string, or null (IP literals, ports, paths, bad labels). */
export function normaliseHost(raw: string): string | null {
  if (raw.length === 0 || raw.length > MAX_HOST) return null;
  let ascii = true;
  for (let k = 0; k < raw.length; k++) {
    if (raw.charCodeAt(k) >= 128) {
      ascii = false;
      break;
    }
  }
  let host = raw;
  if (!ascii) {
    host = domainToASCII(raw);
    if (host === '') return null;
  }
  host = host.toLowerCase();
  if (host.length > MAX_HOST) return null;
  let labelStart = 0;
  let lastLabelNumeric = true;
  for (let k = 0; k <= host.length; k++) {
    const c = k < host.length ? host.charCodeAt(k) : 0x2e;
    if (c === 0x2e) {
      const len = k - labelStart;
      if (len === 0 || len > 63) return null;
      if (host.charCodeAt(labelStart) === 0x2d || host.charCodeAt(k - 1) === 0x2d) return null;
      lastLabelNumeric = true;
      for (let m = labelStart; m < k; m++) {
        const d = host.charCodeAt(m);
        if (d < 48 || d > 57) {
          lastLabelNumeric = false;
          break;
        }
      }
      labelStart = k + 1;
      continue;
    }
    if (!isLdh(c)) return null;
  }
  // A numeric last label makes an IPv4 address (or nonsense), which the URL parser would not treat as a domain.
  if (lastLabelNumeric) return null;
  return host;
}

/** 1-64 ASCII letters or digits, hyphens allowed between them. */
export function isValidOriginCode(code: string): boolean {
  if (code.length === 0 || code.length > MAX_CODE) return false;
  let alnum = 0;
  for (let k = 0; k < code.length; k++) {
    const c = code.charCodeAt(k);
    const isAlnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (isAlnum) alnum++;
    else if (c !== 0x2d || k === 0 || k === code.length - 1) return false;
  }
  return alnum > 0;
}

/**
 * An origin-bound line is a host, a code and an optional host: far shorter than this. Longer last lines
 * are not parsed, which bounds the work on huge messages (the last line need not be found).
 */
const MAX_LINE = 2048;

/** Start offset of the last line (CRLF and CR count as LF), or -1 when that line is longer than MAX_LINE. */
function lastLineStart(message: string, end: number): number {
  const stop = Math.max(0, end - MAX_LINE);
  for (let k = end - 1; k >= stop; k--) {
    const c = message.charCodeAt(k);
    if (c === 0x0a || c === 0x0d) return k + 1;
  }
  return stop === 0 ? 0 : -1;
}

function collectNonWhitespace(message: string, from: number, end: number): number {
  let k = from;
  while (k < end && !isAsciiWhitespace(message.charCodeAt(k))) k++;
  return k;
}

/** The spec's parsing steps, on the message's last line. */
export function parseOriginBound(message: string): OriginBoundCode | null {
  const end = message.length;
  let pos = lastLineStart(message, end);
  if (pos < 0 || pos >= end || message.charCodeAt(pos) !== 0x40) return null;
  pos++;
  const hostEnd = collectNonWhitespace(message, pos, end);
  if (hostEnd === pos) return null;
  const host = normaliseHost(message.slice(pos, hostEnd));
  if (host === null) return null;
  pos = hostEnd;
  if (pos >= end || message.charCodeAt(pos) !== 0x20) return null;
  pos++;
  if (pos >= end || message.charCodeAt(pos) !== 0x23) return null;
  pos++;
  const codeEnd = collectNonWhitespace(message, pos, end);
  if (codeEnd === pos) return null;
  const code = message.slice(pos, codeEnd);
  if (!isValidOriginCode(code)) return null;
  const result: OriginBoundCode = { host, code, codeStart: pos, codeEnd, strict: true };
  pos = codeEnd;
  if (pos < end && message.charCodeAt(pos) === 0x20 && message.charCodeAt(pos + 1) === 0x40) {
    const embeddedEnd = collectNonWhitespace(message, pos + 2, end);
    // An unusable embedded host leaves the embedded origin null; the message stays valid.
    const embedded = embeddedEnd > pos + 2 ? normaliseHost(message.slice(pos + 2, embeddedEnd)) : null;
    if (embedded !== null) result.embeddedHost = embedded;
  }
  return result;
}

function skipSpaces(message: string, from: number, end: number): number {
  let k = from;
  while (k < end && isHorizontalSpace(message.charCodeAt(k))) k++;
  return k;
}

function isTrailingPunct(c: number): boolean {
  return c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f || c === 0x29;
}

function isSpaceOrNewline(c: number): boolean {
  return (
    isAsciiWhitespace(c) || isHorizontalSpace(c) || c === 0x0b || c === 0x85 || c === 0x2028 || c === 0x2029
  );
}

/** Parse `@host #code [@embedded | %embedded]` from `from` to `end` with Apple's tolerance. */
function parseLenientAt(message: string, from: number, end: number): OriginBoundCode | null {
  let pos = from;
  if (message.charCodeAt(pos) !== 0x40) return null;
  pos++;
  const hostEnd = collectNonWhitespace(message, pos, end);
  if (hostEnd === pos || hostEnd - pos > MAX_HOST) return null;
  const host = normaliseHost(message.slice(pos, hostEnd));
  if (host === null) return null;
  pos = skipSpaces(message, hostEnd, end);
  if (pos === hostEnd || message.charCodeAt(pos) !== 0x23) return null;
  pos = skipSpaces(message, pos + 1, end);
  let codeEnd = collectNonWhitespace(message, pos, end);
  while (codeEnd > pos && isTrailingPunct(message.charCodeAt(codeEnd - 1))) codeEnd--;
  if (codeEnd === pos) return null;
  const code = message.slice(pos, codeEnd);
  if (!isValidOriginCode(code)) return null;
  const result: OriginBoundCode = { host, code, codeStart: pos, codeEnd, strict: false };
  pos = collectNonWhitespace(message, codeEnd, end);
  const next = skipSpaces(message, pos, end);
  const sigil = message.charCodeAt(next);
  if (next > pos && (sigil === 0x40 || sigil === 0x25)) {
    const embeddedEnd = collectNonWhitespace(message, next + 1, end);
    const embedded = embeddedEnd > next + 1 ? normaliseHost(message.slice(next + 1, embeddedEnd)) : null;
    // `%future` (trailing text in one version of the spec) is not a host: Apple's % hosts have a dot.
    if (embedded !== null && (sigil === 0x40 || embedded.includes('.'))) result.embeddedHost = embedded;
  }
  return result;
}

/** The last line, ignoring trailing blank lines and spaces, parsed with Apple's tolerance. */
export function parseOriginBoundLenient(message: string): OriginBoundCode | null {
  let end = message.length;
  while (end > 0 && isSpaceOrNewline(message.charCodeAt(end - 1))) end--;
  if (end === 0) return null;
  const start = lastLineStart(message, end);
  if (start < 0) return null;
  return parseLenientAt(message, skipSpaces(message, start, end), end);
}

/**
 * Spec-valid first; Apple-tolerant otherwise. A spec-valid message written with Apple's `%embedded` sigil
 * keeps `strict` and also reports the embedded host (the spec itself ignores that trailing text).
 */
export function findOriginBound(message: string): OriginBoundCode | null {
  const strict = parseOriginBound(message);
  if (strict === null) return parseOriginBoundLenient(message);
  if (strict.embeddedHost === undefined && message.charCodeAt(strict.codeEnd + 1) === 0x25) {
    const lenient = parseOriginBoundLenient(message);
    if (lenient?.embeddedHost !== undefined && lenient.code === strict.code) {
      return { ...strict, embeddedHost: lenient.embeddedHost };
    }
  }
  return strict;
}

/** `@host #code` pairs anywhere (after a space or at a line start), at most `limit` of them. */
export function findLooseOriginMarkers(text: string, limit = 8): OriginBoundCode[] {
  const found: OriginBoundCode[] = [];
  const n = text.length;
  const first = text.indexOf('@');
  if (first < 0) return found;
  // A marker needs a '#' after its '@': no '@' from the last '#' on can start one (@ storms, e-mail lists).
  const lastHash = text.lastIndexOf('#');
  // One read per character: the previous character is kept rather than read again at every '@'.
  let prev = first > 0 ? text.charCodeAt(first - 1) : 0x20;
  for (let at = first; at < lastHash && found.length < limit; at++) {
    const c = text.charCodeAt(at);
    const before = prev;
    prev = c;
    if (c !== 0x40 || !isSpaceOrNewline(before)) continue;
    // The field parsers stop at line breaks by themselves; the window only bounds the work per marker.
    const parsed = parseLenientAt(text, at, Math.min(n, at + 400));
    if (parsed !== null) found.push(parsed);
  }
  return found;
}
