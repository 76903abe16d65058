import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_CATALOGUE,
  NOTIFICATION_TYPES,
  payloadIds,
} from '../../../shared/domain/notifications/catalogue';
import {
  effectivePreferences,
  shouldDeliver,
  workspaceSettings,
} from '../../../shared/domain/notifications/policy';

describe('shouldDeliver', () => {
  // Every combination of workspace enabled x enforced x the user's preference (on, off, never set).
  const cases: Array<[boolean, boolean, boolean | undefined, boolean]> = [
    [true, false, undefined, true],
    [true, false, true, true],
    [true, false, false, false],
    [true, true, undefined, true],
    [true, true, true, true],
    [true, true, false, true],
    [false, false, undefined, false],
    [false, false, true, false],
    [false, false, false, false],
    [false, true, undefined, false],
    [false, true, true, false],
    [false, true, false, false],
  ];
  it.each(cases)('enabled=%s enforced=%s preference=%s -> %s', (enabled, enforced, preference, expected) => {
    expect(
      shouldDeliver({ enabled, enforced }, preference === undefined ? undefined : { enabled: preference }),
    ).toBe(expected);
  });
});

describe('workspace settings and preferences', () => {
  it('defaults every type to enabled and not enforced', () => {
    const settings = workspaceSettings({});
    expect(Object.keys(settings).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    for (const type of NOTIFICATION_TYPES) expect(settings[type]).toEqual({ enabled: true, enforced: false });
  });

  it('shows available and locked next to the effective preference', () => {
    const settings = workspaceSettings({
      account_shared: { enabled: true, enforced: true },
      otp_code_received: { enabled: false, enforced: false },
    });

    const preferences = effectivePreferences(settings, {
      account_shared: { enabled: false },
      trusted_device_request: { enabled: false },
    });

    expect(preferences.account_shared).toEqual({ enabled: true, available: true, locked: true });
    expect(preferences.otp_code_received).toEqual({ enabled: false, available: false, locked: false });
    expect(preferences.trusted_device_request).toEqual({ enabled: false, available: true, locked: false });
    expect(preferences.identity_verification_request).toEqual({
      enabled: true,
      available: true,
      locked: false,
    });
  });
});

describe('notification catalogue', () => {
  it('keeps only the ids a type declares in its payload', () => {
    expect(payloadIds('trusted_device_request', { deviceId: 'dev_1', code: '123456', token: 'x' })).toEqual({
      deviceId: 'dev_1',
    });
  });

  it('never names a secret among the ids any type may carry', () => {
    for (const entry of Object.values(NOTIFICATION_CATALOGUE)) {
      // `candidates` are the three numbers an approver picks from: shown to the approver anyway;
      // `change` is a verb and `origin` a URL's scheme, host and port (no path, no secret).
      for (const id of entry.ids) expect(id).toMatch(/Id$|^candidates$|^change$|^origin$/);
    }
  });
});
