// Attacker-written text shown to people (inbox senders, subjects, bodies; reusable for names): control
// characters and bidirectional formatting characters are removed, so that a message cannot reorder what
// a reader sees ("Trojan Source", CVE-2021-42574) or smuggle terminal or layout controls. Pure: no I/O.

export interface SanitizeOptions {
  /** Keep line feeds and tabs (message bodies). Otherwise each becomes a space (senders, subjects, names). */
  multiline: boolean;
}

export interface Sanitized {
  text: string;
  /** True when a character was removed or replaced (CR LF and lone CR becoming LF do not count). */
  changed: boolean;
}

/**
 * Characters removed:
 * - C0 controls U+0000-U+001F (except LF and TAB in multi-line text; CR LF and lone CR become LF there),
 *   DEL U+007F and C1 controls U+0080-U+009F;
 * - bidirectional formatting: embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, the marks
 *   LRM U+200E, RLM U+200F and ALM U+061C;
 * - interlinear annotation controls U+FFF9-U+FFFB and the line and paragraph separators U+2028-U+2029
 *   (a space in single-line text, LF in multi-line text).
 * Zero-width joiners stay: emoji and several scripts need them.
 */
export function isUnsafeChar(c: number): boolean {
  return (
    c <= 0x1f ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x200e ||
    c === 0x200f ||
    c === 0x061c ||
    (c >= 0xfff9 && c <= 0xfffb) ||
    c === 0x2028 ||
    c === 0x2029
  );
}

/** Strip unsafe characters (see `isUnsafeChar`) in one linear pass; never throws on strings. */
export function sanitizeText(value: string, options: SanitizeOptions): Sanitized {
  let k = 0;
  const n = value.length;
  while (k < n && !isUnsafeChar(value.charCodeAt(k))) k++;
  if (k === n) return { text: value, changed: false };
  const parts: string[] = [value.slice(0, k)];
  let changed = false;
  let from = k;
  for (; k < n; k++) {
    const c = value.charCodeAt(k);
    if (!isUnsafeChar(c)) continue;
    if (k > from) parts.push(value.slice(from, k));
    from = k + 1;
    if (c === 0x0d) {
      // CR LF and lone CR are line ends, not attacks: LF in bodies, a space elsewhere.
      if (value.charCodeAt(k + 1) === 0x0a) {
        k++;
        from = k + 1;
      }
      parts.push(options.multiline ? '\n' : ' ');
      if (!options.multiline) changed = true;
      continue;
    }
    if (options.multiline && (c === 0x0a || c === 0x09)) {
      parts.push(value[k] as string);
      continue;
    }
    changed = true;
    if (c === 0x0a || c === 0x09 || c === 0x2028 || c === 0x2029) parts.push(options.multiline ? '\n' : ' ');
  }
  if (from < n) parts.push(value.slice(from));
  return { text: parts.join(''), changed };
}

/**
 * Labels (device and account names): the same characters go; line feeds and tabs stay for the caller to
 * fold into spaces, and a CR becomes LF. `changed` is what the caller turns into a `sanitized` flag.
 */
export function stripUnsafeText(s: string): Sanitized {
  return sanitizeText(s, { multiline: true });
}

/**
 * A label people see (device, account and user names): unsafe characters removed, line feeds and tabs
 * folded into spaces, trimmed. `changed` says the stored label differs from what the client sent.
 */
export function cleanLabel(value: string): Sanitized {
  const text = stripUnsafeText(value)
    .text.replace(/[\n\t]+/g, ' ')
    .trim();
  return { text, changed: text !== value };
}
