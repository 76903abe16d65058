import { randomInt } from 'node:crypto';
import type { PasswordRules } from './apps';
import type { GeneratorSettings } from './model';

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
} as const;

type ClassName = keyof typeof CLASSES | 'symbols';

/**
 * The generator settings the app's rules allow: the length is clamped into the app's range, classes
 * the app requires are switched on, symbols are limited to those the app accepts.
 */
export function boundedSettings(settings: GeneratorSettings, rules: PasswordRules): GeneratorSettings {
  const bounded = {
    ...settings,
    length: Math.min(rules.maxLength, Math.max(rules.minLength, settings.length)),
  };
  for (const required of rules.requires) bounded[required] = true;
  return bounded;
}

/**
 * A password from a CSPRNG (`crypto.randomInt`, no modulo bias) with at least one character of every
 * enabled class, the rest drawn from the union, then shuffled (Fisher-Yates).
 */
export function generatePassword(settings: GeneratorSettings, rules: PasswordRules): string {
  const bounded = boundedSettings(settings, rules);
  const excluded = new Set(bounded.exclude ?? '');
  const alphabet = (name: ClassName) =>
    [...(name === 'symbols' ? rules.symbols : CLASSES[name])].filter((c) => !excluded.has(c)).join('');
  const classes = (['lowercase', 'uppercase', 'digits', 'symbols'] as const)
    .filter((name) => bounded[name])
    .map(alphabet)
    .filter((chars) => chars.length > 0);
  if (classes.length === 0) throw new Error('the generator settings leave no characters to use');
  const all = classes.join('');
  const chars = classes.map((chars) => chars[randomInt(chars.length)] as string);
  while (chars.length < bounded.length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
