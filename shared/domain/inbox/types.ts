// Types and limits of the verification-code extraction engine. Pure data: no I/O, no AWS.

export type Channel = 'sms' | 'email';

/** One inbound message as the inbound pipelines hand it over (fields are untrusted). */
export interface ExtractionInput {
  channel: Channel;
  text: string;
  subject?: string;
  html?: string;
}

/**
 * How the code was found.
 * - `origin_bound`: the WICG `@host #code [@embedded]` last line (Apple's `%host` tolerated).
 * - `keyword`: next to a word that names a code (code, OTP, PIN, TAN, password, 验证码, ...).
 * - `standalone`: no keyword, but the code is the whole message or follows an `@host #` marker.
 * `null` exactly when `code` is `null`.
 */
export type CodeKind = 'origin_bound' | 'keyword' | 'standalone';

export interface CodeOrigin {
  host: string;
  embeddedHost?: string;
}

export interface ExtractedLink {
  url: string;
  host: string;
}

export interface Extraction {
  /** The code as a user would type it; `null` when the message holds none. */
  code: string | null;
  kind: CodeKind | null;
  /** 0 when there is no code; otherwise in (0, 1]. */
  confidence: number;
  /** Present only for `origin_bound`. */
  origin?: CodeOrigin;
  /** Verification or sign-in URLs, best first, never more than MAX_LINKS. */
  links: ExtractedLink[];
}

/** Where the raw code was read from, for callers that need to point at it (and for tests). */
export type CodeSource = 'text' | 'subject' | 'html';

export interface ExtractionTrace {
  extraction: Extraction;
  /** The code exactly as it appears in `source`, before separator removal and prefix dropping. */
  rawCode: string | null;
  source: CodeSource | null;
}

/** Text bodies and subjects are cut to this many UTF-16 code units before any scanning. */
export const MAX_TEXT_CHARS = 64 * 1024;
/** HTML bodies are cut to this many UTF-16 code units before conversion to text. */
export const MAX_HTML_CHARS = 1024 * 1024;
export const MAX_SUBJECT_CHARS = 2 * 1024;
export const MAX_LINKS = 5;
export const MAX_URL_CHARS = 2048;
