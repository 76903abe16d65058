import { describe, expect, it } from 'vitest';
import { gte } from '../../../shared/adapters/aws/semver-lite';

describe('semver-lite gte (the only semver call the X-Ray SDK makes)', () => {
  it.each([
    ['22.11.0', '8.0.0', true],
    ['v20.20.2', '8.0.0', true],
    ['8.0.0', '8.0.0', true],
    ['7.10.1', '8.0.0', false],
    ['2.1000.0', '2.7.15', true],
    ['2.7.14', '2.7.15', false],
    ['10.0.0', '9.99.99', true],
  ])('gte(%s, %s) is %s', (a, b, expected) => {
    expect(gte(a, b)).toBe(expected);
  });

  it('refuses what it cannot compare instead of guessing', () => {
    expect(() => gte('latest', '1.0.0')).toThrow(/cannot compare/);
  });
});
