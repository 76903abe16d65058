import { describe, expect, it } from 'vitest';
import {
  DEVICE_RULES,
  defaultDeviceName,
  effectiveStatus,
  holdsSlot,
  nameCandidate,
  nameKey,
  verificationMethodFor,
} from '../../../shared/domain/devices/model';
import {
  digestsEqual,
  formatCredential,
  hmacInput,
  newCredentialSecret,
  newVerificationCode,
  parseCredential,
} from '../../../shared/domain/devices/secrets';
import { mayDeprovision } from '../../../shared/domain/users/deprovision-user';
import { aUser } from '../../support/fakes';

describe('device names', () => {
  it('follows [username][device name] - [os]/[browser]', () => {
    expect(
      defaultDeviceName({ email: 'alice@acme.example', model: 'MacBook', os: 'macOS', browser: 'Chrome' }),
    ).toBe('alice MacBook - macOS/Chrome');
    expect(defaultDeviceName({ email: 'bob@acme.example', os: 'iOS' })).toBe('bob - iOS');
  });

  it('suffixes candidates from the second one and keeps them within the length limit', () => {
    const long = 'x'.repeat(DEVICE_RULES.maxNameLength);
    expect(nameCandidate('Laptop', 1)).toBe('Laptop');
    expect(nameCandidate('Laptop', 2)).toBe('Laptop (2)');
    expect(nameCandidate(long, 12)).toHaveLength(DEVICE_RULES.maxNameLength);
    expect(nameCandidate(long, 12).endsWith(' (12)')).toBe(true);
  });

  it('compares names case-insensitively, folding spaces and compatibility forms', () => {
    expect(nameKey('  Work   Laptop ')).toBe(nameKey('work laptop'));
    expect(nameKey('ＷＯＲＫ')).toBe(nameKey('work'));
    expect(nameKey('Work Laptop')).not.toBe(nameKey('Work Laptop 2'));
  });
});

describe('device status rules', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');

  it('treats a pending device past its window as expired, and only then', () => {
    expect(
      effectiveStatus({ status: 'pending_approval', pendingUntil: '2026-11-23T12:00:00.000Z' }, now),
    ).toBe('expired');
    expect(
      effectiveStatus({ status: 'pending_approval', pendingUntil: '2026-11-23T12:00:00.001Z' }, now),
    ).toBe('pending_approval');
    expect(effectiveStatus({ status: 'trusted', pendingUntil: '2000-01-01T00:00:00.000Z' }, now)).toBe(
      'trusted',
    );
  });

  it('counts pending and trusted devices against the limit, never denied, disabled or expired ones', () => {
    expect(['pending_verification', 'pending_approval', 'trusted'].every((s) => holdsSlot(s as never))).toBe(
      true,
    );
    expect(['denied', 'disabled', 'expired'].some((s) => holdsSlot(s as never))).toBe(false);
  });

  it.each([
    [{ clientType: 'web', noTrustedDeviceAtHand: false, approvers: 0 }, 'email_code'],
    [{ clientType: 'web', noTrustedDeviceAtHand: false, approvers: 1 }, 'approval'],
    [{ clientType: 'mobile', noTrustedDeviceAtHand: false, approvers: 2 }, 'approval'],
    [{ clientType: 'extension', noTrustedDeviceAtHand: false, approvers: 3 }, 'email_code'],
    [{ clientType: 'web', noTrustedDeviceAtHand: true, approvers: 3 }, 'email_code'],
  ] as const)('chooses %o -> %s', (input, method) => {
    expect(verificationMethodFor(input)).toBe(method);
  });
});

describe('codes and credentials', () => {
  it('makes 6-digit codes, leading zeros included, from the whole range', () => {
    const codes = Array.from({ length: 20_000 }, newVerificationCode);
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    // With 20,000 draws over 10^6 values, about 2% start with 0: never none unless the range is wrong.
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
    expect(codes.some((code) => code.startsWith('9'))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(19_000);
  });

  it('makes credentials of 256 random bits that round-trip through the header format', () => {
    const secret = newCredentialSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(parseCredential(formatCredential('dev_abc-1', secret))).toEqual({ deviceId: 'dev_abc-1', secret });
  });

  it.each([
    '',
    'nodot',
    '.secret',
    'dev_1.',
    'x'.repeat(201),
  ])('rejects the malformed credential %j', (value) => {
    expect(parseCredential(value)).toBeUndefined();
  });

  it('binds a code hash to its user and device', () => {
    expect(hmacInput.code('u1', 'd1', '123456')).not.toBe(hmacInput.code('u2', 'd1', '123456'));
    expect(hmacInput.code('u1', 'd1', '123456')).not.toBe(hmacInput.code('u1', 'd2', '123456'));
    expect(hmacInput.code('u1', 'd1', '123456')).not.toBe(hmacInput.credential('u1', 'd1', '123456'));
  });

  it('compares digests in constant time and refuses unequal lengths or empties', () => {
    expect(digestsEqual('ab'.repeat(32), 'ab'.repeat(32))).toBe(true);
    expect(digestsEqual('ab'.repeat(32), 'ac'.repeat(32))).toBe(false);
    expect(digestsEqual('ab'.repeat(32), 'ab'.repeat(31))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });
});

describe('who may deprovision whom', () => {
  const owner = aUser({ id: 'o', workspaceRole: 'owner' });
  const admin = aUser({ id: 'a', workspaceRole: 'admin' });
  const superAdmin = aUser({ id: 's', workspaceRole: 'super_admin' });
  const user = aUser({ id: 'u', workspaceRole: 'user' });

  it('lets owners deprovision anyone but themselves', () => {
    expect(mayDeprovision(owner, superAdmin)).toBe(true);
    expect(mayDeprovision(owner, aUser({ id: 'o2', workspaceRole: 'owner' }))).toBe(true);
    expect(mayDeprovision(owner, owner)).toBe(false);
  });

  it('lets admins deprovision only those ranked below them', () => {
    expect(mayDeprovision(admin, user)).toBe(true);
    expect(mayDeprovision(admin, aUser({ id: 'a2', workspaceRole: 'admin' }))).toBe(false);
    expect(mayDeprovision(admin, superAdmin)).toBe(false);
    expect(mayDeprovision(superAdmin, admin)).toBe(true);
  });
});
