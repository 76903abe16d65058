import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../../scripts/api';

describe('the api script', () => {
  it('reads a route id and JSON params, query and body', () => {
    const command = parseCommand([
      'verifyDevice',
      '--params',
      '{"id":"dev_1"}',
      '--body',
      '{"code":"123456"}',
      '--as',
      'bob@acme.example',
    ]);

    expect(command).toEqual({
      id: 'verifyDevice',
      input: { params: { id: 'dev_1' }, body: { code: '123456' } },
      as: 'bob@acme.example',
    });
  });

  it('refuses an unknown route id, listing the known ones', () => {
    expect(() => parseCommand(['nope'])).toThrow(UsageError);
    expect(() => parseCommand(['nope'])).toThrow(/getMe/);
  });

  it('refuses a flag that is not JSON, naming it', () => {
    expect(() => parseCommand(['getMe', '--body', '{nope'])).toThrow('--body must be JSON');
  });
});
