// URL and e-mail address spans in message text, and the choice of verification or sign-in links among them.
// A hand-written scanner: each character is looked at a bounded number of times.

import { type ExtractedLink, MAX_LINKS, MAX_URL_CHARS } from './types';

export interface UrlSpan {
  start: number;
  end: number;
}

export interface Span {
  start: number;
  end: number;
}

const MAX_SPANS = 4096;
/** Links are chosen among the first URLs of a message only (a newsletter's hundredth link is not a sign-in). */
const MAX_LINK_CANDIDATES = 64;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isHostChar(c: number): boolean {
  return isAlnum(c) || c === 0x2d || c === 0x2e;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isUrlStop(c: number): boolean {
  return (
    c <= 0x20 ||
    c >= 0x7f ||
    c === 0x22 ||
    c === 0x27 ||
    c === 0x3c ||
    c === 0x3e ||
    c === 0x60 ||
    c === 0x7b ||
    c === 0x7d ||
    c === 0x7c ||
    c === 0x5c ||
    c === 0x5e
  );
}

function startsWithIgnoreCase(text: string, at: number, prefix: string): boolean {
  if (at + prefix.length > text.length) return false;
  for (let k = 0; k < prefix.length; k++) {
    let c = text.charCodeAt(at + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

/** True when `host` (the part before the path) ends in an alphabetic top-level label and has at least two labels. */
function looksLikeDomain(text: string, start: number, end: number): boolean {
  const lastDot = text.lastIndexOf('.', end - 1);
  if (lastDot <= start || lastDot >= end - 2) return false;
  for (let k = lastDot + 1; k < end; k++) if (!isLetter(text.charCodeAt(k))) return false;
  return end - lastDot - 1 <= 24;
}

function trimUrlEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = text.charCodeAt(e - 1);
    if (c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f) {
      e--;
      continue;
    }
    if (c === 0x29 || c === 0x5d) {
      const open = c === 0x29 ? 0x28 : 0x5b;
      let depth = 0;
      for (let k = start; k < e; k++) {
        const d = text.charCodeAt(k);
        if (d === open) depth++;
        else if (d === c) depth--;
      }
      if (depth < 0) {
        e--;
        continue;
      }
    }
    break;
  }
  return e;
}

function toUrl(raw: string): { url: string; host: string } | null {
  if (raw.length > MAX_URL_CHARS) return null;
  const withScheme = startsWithIgnoreCase(raw, 0, 'http://') || startsWithIgnoreCase(raw, 0, 'https://');
  try {
    const u = new URL(withScheme ? raw : `https://${raw}`);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.hostname === '') return null;
    return { url: u.href, host: u.hostname };
  } catch {
    return null;
  }
}

/** A URL does not start right after these (they belong to another URL, an address or another scheme). */
const IN_URL_BEFORE = new Set([0x2e, 0x2d, 0x40, 0x2f, 0x3a, 0x5f, 0x3d, 0x3f, 0x26, 0x25, 0x23, 0x2b, 0x7e]);

function hasWww(text: string): boolean {
  return text.indexOf('www.') >= 0 || text.indexOf('WWW.') >= 0 || text.indexOf('Www.') >= 0;
}

/** URLs written with a scheme, with `www.`, or as `host.tld/path`. */
export function findUrlSpans(text: string): UrlSpan[] {
  const spans: UrlSpan[] = [];
  // Every form needs a slash or "www.": most messages are ruled out by two native searches.
  const slash = text.indexOf('/');
  if (slash < 0 && !hasWww(text)) return spans;
  const n = text.length;
  let i = 0;
  while (i < n && spans.length < MAX_SPANS) {
    const c = text.charCodeAt(i);
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0x20;
    if (!isAlnum(c) || isAlnum(prev) || IN_URL_BEFORE.has(prev)) {
      i++;
      continue;
    }
    let start = -1;
    let bodyFrom = i;
    if (startsWithIgnoreCase(text, i, 'https://')) bodyFrom = i + 8;
    else if (startsWithIgnoreCase(text, i, 'http://')) bodyFrom = i + 7;
    if (bodyFrom > i) start = i;
    else {
      let j = i;
      while (j < n && isHostChar(text.charCodeAt(j))) j++;
      const isWww = startsWithIgnoreCase(text, i, 'www.');
      if ((isWww || text.charCodeAt(j) === 0x2f) && looksLikeDomain(text, i, j)) start = i;
      else {
        i = j > i ? j : i + 1;
        continue;
      }
    }
    let end = bodyFrom;
    while (end < n && !isUrlStop(text.charCodeAt(end))) end++;
    end = trimUrlEnd(text, start, end);
    if (end <= bodyFrom) {
      i = Math.max(end, i + 1);
      continue;
    }
    spans.push({ start, end });
    i = end;
  }
  return spans;
}

function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

/** E-mail addresses (login@plaid.com): their digits are never codes. One pass; each character read at most 3 times. */
export function findEmailSpans(text: string): Span[] {
  const spans: Span[] = [];
  const n = text.length;
  let lastEnd = 0;
  const first = text.indexOf('@');
  if (first < 0) return spans;
  // `prev` is the character before `at`, kept from the previous step rather than read again at every '@'.
  let prev = first > 0 ? text.charCodeAt(first - 1) : 0x40;
  for (let at = Math.max(1, first); at < n - 1 && spans.length < MAX_SPANS; at++) {
    const c = text.charCodeAt(at);
    const before = prev;
    prev = c;
    if (c !== 0x40) continue;
    if (!isLocalChar(before) || !isAlnum(text.charCodeAt(at + 1))) continue;
    let s = at;
    while (s > lastEnd && isLocalChar(text.charCodeAt(s - 1))) s--;
    let e = at + 1;
    let dot = false;
    while (e < n && isHostChar(text.charCodeAt(e))) {
      if (text.charCodeAt(e) === 0x2e) dot = true;
      e++;
    }
    lastEnd = at + 1;
    if (!dot) continue;
    spans.push({ start: s, end: e });
    lastEnd = e;
    at = e - 1;
    prev = text.charCodeAt(at);
  }
  return spans;
}

const URL_HINTS: readonly string[] = [
  'verify',
  'verif',
  'confirm',
  'login',
  'log-in',
  'log_in',
  'signin',
  'sign-in',
  'sign_in',
  'auth',
  'magic',
  'token',
  'otp',
  '2fa',
  'mfa',
  'activate',
  'activation',
  'validate',
  'passwordless',
  'session',
  'onetime',
  'one-time',
  'sso',
  'challenge',
  'approve',
  'consent',
];

const CONTEXT_HINTS: readonly string[] = [
  'sign in',
  'sign-in',
  'log in',
  'log-in',
  'login',
  'verify',
  'verification',
  'confirm',
  'magic link',
  'activate',
  'authenticate',
  'approve',
  '登录',
  '登入',
  '验证',
  '驗證',
  'ログイン',
  '認証',
  '로그인',
  '인증',
  'вход',
  'войти',
  'подтверд',
  'anmelden',
  'bestätig',
  'connexion',
  'confirmer',
  'iniciar sesión',
  'verificar',
  'accedi',
  'conferma',
  'giriş',
  'doğrula',
  'xác nhận',
  'xac nhan',
  'đăng nhập',
  'dang nhap',
  'ورود',
  'تایید',
  'אימות',
  'כניסה',
];

const EXCLUDED_HINTS: readonly string[] = [
  'unsubscribe',
  '/settings',
  '/docs',
  '://docs.',
  '/articles/',
  '/blog',
  '/faq',
  '/policies',
  '/policy',
  'optout',
  'opt-out',
  'privacy',
  'terms',
  'legal',
  '/help',
  'help.',
  'support',
  'preferences',
  'notification-settings',
  'view-in-browser',
  'viewinbrowser',
  'webversion',
  'feedback',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.css',
  '.svg',
];

function includesAny(haystack: string, needles: readonly string[]): boolean {
  for (const n of needles) if (haystack.includes(n)) return true;
  return false;
}

/** The line around a span, at most 100 characters on each side. */
function contextOf(text: string, span: Span): string {
  let s = span.start;
  const minS = Math.max(0, span.start - 100);
  while (s > minS && text.charCodeAt(s - 1) !== 10) s--;
  let e = span.end;
  const maxE = Math.min(text.length, span.end + 100);
  while (e < maxE && text.charCodeAt(e) !== 10) e++;
  return `${text.slice(s, span.start)} ${text.slice(span.end, e)}`.toLowerCase();
}

/** Verification and sign-in links of `text`, best first, deduplicated, at most MAX_LINKS. */
export function selectLinks(text: string, spans: readonly UrlSpan[]): ExtractedLink[] {
  const scored: Array<{ link: ExtractedLink; score: number; order: number }> = [];
  const seen = new Set<string>();
  for (let k = 0; k < spans.length && k < MAX_LINK_CANDIDATES; k++) {
    const span = spans[k];
    if (span === undefined) continue;
    const parsed = toUrl(text.slice(span.start, span.end));
    if (parsed === null || seen.has(parsed.url)) continue;
    const lowerUrl = parsed.url.toLowerCase();
    if (includesAny(lowerUrl, EXCLUDED_HINTS)) continue;
    const context = contextOf(text, span);
    // The words just before a URL are its anchor text (HTML) or its label (plain text).
    const label = text.slice(Math.max(0, span.start - 40), span.start).toLowerCase();
    if (includesAny(label, ['unsubscribe', 'privacy', 'terms of', 'opt out', 'preferences'])) continue;
    let score = 0;
    if (includesAny(lowerUrl, URL_HINTS)) score += 2;
    if (includesAny(context, CONTEXT_HINTS)) score += 1;
    if (score === 0) continue;
    seen.add(parsed.url);
    scored.push({ link: parsed, score, order: k });
  }
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.slice(0, MAX_LINKS).map((s) => s.link);
}
