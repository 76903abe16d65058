import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  signature,
  signedHeaders,
  verifyWebhook,
} from '../../../shared/adapters/connectors/webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'password.change', id: 'msg_1', data: { username: 'ada' } });
  const now = 1_800_000_000;

  /** A receiver's memory of ids, as the docs recipe keeps it. */
  const memory = () => {
    const seen = new Set<string>();
    return (id: string) => {
      if (seen.has(id)) return true;
      seen.add(id);
      return false;
    };
  };

  it('matches the Standard Webhooks reference vector, so receivers can use its libraries', () => {
    // From the Standard Webhooks specification's example (and Svix's documentation).
    expect(
      signature(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('generates 256-bit secrets with an identifiable prefix, a different one each time', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });

  it('accepts a genuine message once', () => {
    const headers = signedHeaders(secret, 'msg_a', now, body);
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now + 10, seen: memory() })).toEqual({
      ok: true,
      id: 'msg_a',
    });
  });

  it('refuses a tampered body', () => {
    const headers = signedHeaders(secret, 'msg_b', now, body);
    const tampered = body.replace('ada', 'eve');
    expect(verifyWebhook({ secret, headers, body: tampered, nowSeconds: now, seen: memory() })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a changed id or timestamp (both are inside the signed string)', () => {
    const headers = signedHeaders(secret, 'msg_c', now, body);
    const seen = memory();
    const otherId = { ...headers, 'webhook-id': 'msg_other' };
    const otherTime = { ...headers, 'webhook-timestamp': String(now + 1) };
    expect(verifyWebhook({ secret, headers: otherId, body, nowSeconds: now, seen })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ secret, headers: otherTime, body, nowSeconds: now, seen })).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('refuses a signature made with another secret', () => {
    const headers = signedHeaders(newWebhookSecret(), 'msg_d', now, body);
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now, seen: memory() })).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('refuses a stale timestamp (older or newer than the 5-minute tolerance)', () => {
    const old = signedHeaders(secret, 'msg_e', now - 301, body);
    const future = signedHeaders(secret, 'msg_f', now + 301, body);
    const edge = signedHeaders(secret, 'msg_g', now - 300, body);
    const seen = memory();
    expect(verifyWebhook({ secret, headers: old, body, nowSeconds: now, seen })).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ secret, headers: future, body, nowSeconds: now, seen })).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ secret, headers: edge, body, nowSeconds: now, seen }).ok).toBe(true);
  });

  it('refuses a replayed id, and a forgery does not burn a genuine id', () => {
    const seen = memory();
    const headers = signedHeaders(secret, 'msg_h', now, body);
    const forged = { ...headers, 'webhook-signature': 'v1,AAAA' };
    expect(verifyWebhook({ secret, headers: forged, body, nowSeconds: now, seen })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now, seen }).ok).toBe(true);
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now + 5, seen })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('accepts any one of several space-separated signatures (secret rotation on the receiver side)', () => {
    const headers = signedHeaders(secret, 'msg_i', now, body);
    const both = { ...headers, 'webhook-signature': `v1,bm9wZQ== ${headers['webhook-signature']}` };
    expect(verifyWebhook({ secret, headers: both, body, nowSeconds: now, seen: memory() }).ok).toBe(true);
  });

  it('refuses a message without its headers or with a malformed timestamp', () => {
    const headers = signedHeaders(secret, 'msg_j', now, body);
    const { 'webhook-id': _id, ...noId } = headers;
    expect(verifyWebhook({ secret, headers: noId, body, nowSeconds: now, seen: memory() })).toMatchObject({
      reason: 'missing_headers',
    });
    const badTime = { ...headers, 'webhook-timestamp': '17e8' };
    expect(verifyWebhook({ secret, headers: badTime, body, nowSeconds: now, seen: memory() })).toMatchObject({
      reason: 'missing_headers',
    });
  });
});
