import { describe, expect, it } from 'vitest';
import { APP_CATALOGUE, effectiveCapabilities, findApp } from '../../../shared/domain/rotation/apps';
import { boundedSettings, generatePassword } from '../../../shared/domain/rotation/generator';
import { DEFAULT_GENERATOR } from '../../../shared/domain/rotation/model';

const demo = findApp('demo');
if (!demo) throw new Error('the catalogue lost the demo app');

describe('password generator', () => {
  it('clamps the length into the app rules and switches on the classes the app requires', () => {
    const bounded = boundedSettings(
      { ...DEFAULT_GENERATOR, length: 500, uppercase: false },
      demo.passwordRules,
    );

    expect(bounded.length).toBe(64);
    expect(bounded.uppercase).toBe(true);
    expect(boundedSettings({ ...DEFAULT_GENERATOR, length: 4 }, demo.passwordRules).length).toBe(12);
  });

  it('draws every enabled class, only accepted symbols and never an excluded character', () => {
    for (let i = 0; i < 200; i++) {
      const password = generatePassword(
        { ...DEFAULT_GENERATOR, length: 12, exclude: '0O1lI' },
        demo.passwordRules,
      );

      expect(password).toHaveLength(12);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[!#$%&*+\-=?@^_~]/);
      expect(password).not.toMatch(/[0O1lI]/);
    }
  });

  it('gives distinct passwords (a CSPRNG, not a fixed sequence)', () => {
    const seen = new Set(
      Array.from({ length: 500 }, () => generatePassword(DEFAULT_GENERATOR, demo.passwordRules)),
    );

    expect(seen.size).toBe(500);
  });

  it('refuses settings that leave no characters', () => {
    const none = { length: 12, lowercase: false, uppercase: false, digits: false, symbols: false };

    expect(() => generatePassword(none, { ...demo.passwordRules, requires: [] })).toThrow(/no characters/);
  });
});

describe('apps catalogue precedence', () => {
  it('gives an account naming a catalogue app the catalogue capabilities over its recorded ones', () => {
    const recorded = { managedPhone: false, acceptsVoip: true, managedEmail: false };

    expect(effectiveCapabilities({ appId: 'demo', capabilities: recorded })).toEqual(demo.capabilities);
    expect(effectiveCapabilities({ appId: 'acme-ads', capabilities: recorded }).acceptsVoip).toBe(false);
  });

  it('keeps the recorded capabilities of accounts without a catalogue app, with no connector', () => {
    const recorded = { managedPhone: false, acceptsVoip: true, managedEmail: true };

    expect(effectiveCapabilities({ capabilities: recorded })).toEqual({
      ...recorded,
      passwordRotation: false,
      mfaEnrollment: false,
    });
  });

  it('only claims rotation for apps that have a connector', () => {
    for (const app of APP_CATALOGUE) {
      expect(app.capabilities.passwordRotation || app.capabilities.mfaEnrollment).toBe(
        Boolean(app.connector),
      );
    }
  });
});
