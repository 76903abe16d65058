import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../../shared/adapters/crypto/hmac';
import {
  CONFIRMATION_ACTION_IDS,
  requiresConfirmation,
  resourceOf,
} from '../../../shared/domain/identity/actions';
import {
  identityHmacInput,
  newNumberChallenge,
  newToken,
  sameNumber,
} from '../../../shared/domain/identity/model';

describe('confirmation action registry', () => {
  it('holds the documented catalogue under stable ids', () => {
    expect(CONFIRMATION_ACTION_IDS).toEqual(
      expect.arrayContaining([
        'secret.attachments.manage',
        'secret.delete',
        'secret.edit',
        'secret.view',
        'password.view',
        'secret.history.view',
        'secret.history.restore',
        'secret.share',
        'items.share_link',
        'app.remove',
        'scim_token.retrieve',
        'vault.create',
        'vault.manage',
      ]),
    );
  });

  it('confirms secret views only when the workspace turns them on, and passwords always', () => {
    expect(requiresConfirmation('secret.view', { confirmSecretViews: false })).toBe(false);
    expect(requiresConfirmation('secret.view', { confirmSecretViews: true })).toBe(true);
    expect(requiresConfirmation('password.view', { confirmSecretViews: false })).toBe(true);
    expect(requiresConfirmation('app.remove', { confirmSecretViews: false })).toBe(true);
  });

  it('refuses an action that is not in the registry', () => {
    expect(() => requiresConfirmation('password.peek', { confirmSecretViews: false })).toThrow(/unknown/);
  });

  it('binds route actions to their path parameters and workspace actions to the workspace', () => {
    expect(resourceOf('password.view', { id: 'acc_1' }, 'ws_1')).toBe('id=acc_1');
    expect(resourceOf('secret.history.restore', { version: '3', id: 'acc_1' }, 'ws_1')).toBe(
      'id=acc_1&version=3',
    );
    expect(resourceOf('scim_token.retrieve', { id: 'acc_1' }, 'ws_1')).toBe('workspace=ws_1');
    expect(resourceOf('vault.manage', {}, 'ws_1')).toBe('workspace=ws_1');
  });
});

describe('number matching', () => {
  it('draws three distinct two-digit numbers from the CSPRNG, the shown one among them at any position', () => {
    const positions = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const { numberToMatch, candidates } = newNumberChallenge();
      expect(candidates).toHaveLength(3);
      expect(new Set(candidates).size).toBe(3);
      for (const n of candidates) expect(Number(n)).toBeGreaterThanOrEqual(10);
      for (const n of candidates) expect(Number(n)).toBeLessThanOrEqual(99);
      positions.add(candidates.indexOf(numberToMatch));
    }
    expect([...positions].sort()).toEqual([0, 1, 2]);
  });

  it('reaches both ends of the range (randomInt upper bound is exclusive)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) for (const n of newNumberChallenge().candidates) seen.add(n);
    expect(seen.has('10')).toBe(true);
    expect(seen.has('99')).toBe(true);
    expect(seen.has('100')).toBe(false);
  });

  it('compares numbers exactly', () => {
    expect(sameNumber('42', '42')).toBe(true);
    expect(sameNumber('42', '24')).toBe(false);
    expect(sameNumber('4', '42')).toBe(false);
    expect(sameNumber('', '')).toBe(false);
  });
});

describe('tokens', () => {
  it('are 256 random bits, URL-safe, never repeated', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^[\w-]{43}$/);
  });

  it('are stored as an HMAC under the server key, bound to their purpose', async () => {
    const hmac = makeHmac(async () => Buffer.alloc(32, 7));
    const token = newToken();
    const linkHash = await hmac.digest(identityHmacInput.magicLink(token));
    const scimHash = await hmac.digest(identityHmacInput.scimToken('ws_1', token));
    const otherKey = await makeHmac(async () => Buffer.alloc(32, 8)).digest(
      identityHmacInput.magicLink(token),
    );

    expect(linkHash).toMatch(/^[0-9a-f]{64}$/);
    expect(linkHash).not.toContain(token);
    expect(scimHash).not.toBe(linkHash);
    expect(otherKey).not.toBe(linkHash);
  });
});
