/**
 * Attacker-written text that people see (device names, account names, inbox senders and subjects) is
 * cleaned at write time: control characters other than line feed and tab, and the bidirectional
 * overrides, embeddings, isolates and marks that can make a label read as something else
 * ("Trojan Source", CVE-2021-42574), are removed. `changed` lets the caller record a flag.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export function stripUnsafeText(s: string): { text: string; changed: boolean } {
  const text = s.replace(UNSAFE, '');
  return { text, changed: text.length !== s.length };
}
