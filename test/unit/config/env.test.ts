import { describe, expect, it } from 'vitest';
import { ENV, MissingConfigError, positiveIntEnv, requireEnv } from '../../../shared/config/env';

describe('config getters', () => {
  it('requireEnv names the missing variable', () => {
    expect(() => requireEnv(ENV.tableName, {})).toThrow(MissingConfigError);
    expect(() => requireEnv(ENV.tableName, {})).toThrow(/TABLE_NAME/);
  });

  it('requireEnv treats an empty value as missing', () => {
    expect(() => requireEnv(ENV.tableName, { TABLE_NAME: '' })).toThrow(/TABLE_NAME/);
  });

  it('requireEnv returns a present value', () => {
    expect(requireEnv(ENV.tableName, { TABLE_NAME: 't1' })).toBe('t1');
  });

  it('positiveIntEnv falls back when unset and rejects nonsense', () => {
    expect(positiveIntEnv(ENV.maxBodyBytes, 42, {})).toBe(42);
    expect(positiveIntEnv(ENV.maxBodyBytes, 42, { MAX_BODY_BYTES: '1024' })).toBe(1024);
    expect(() => positiveIntEnv(ENV.maxBodyBytes, 42, { MAX_BODY_BYTES: '-1' })).toThrow(/MAX_BODY_BYTES/);
    expect(() => positiveIntEnv(ENV.maxBodyBytes, 42, { MAX_BODY_BYTES: '1.5' })).toThrow(/MAX_BODY_BYTES/);
  });
});
