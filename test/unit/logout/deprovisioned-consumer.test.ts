import { describe, expect, it } from 'vitest';
import { parseDeprovisioned } from '../../../functions/events/deprovisioned-rotations';

/** The envelope EventBridge puts on the queue: `detail` is the outbox's DomainEvent. */
const envelope = (detailType: string, detail: unknown) =>
  JSON.stringify({ version: '0', id: 'e-1', 'detail-type': detailType, source: 'latchkey', detail });

describe('the user.deprovisioned rotation consumer', () => {
  const event = {
    id: 'evt_1',
    type: 'user.deprovisioned',
    occurredAt: '2026-11-29T10:00:00.000Z',
    workspaceId: 'ws_1',
    detail: {
      userId: 'usr_1',
      accountIds: ['acc_1', 7, 'acc_2'],
      accountIdsThroughTeams: ['acc_3'],
      teamIds: [],
    },
  };

  it('reads the event id, workspace, user and both account sets from the EventBridge envelope', () => {
    expect(parseDeprovisioned(envelope('user.deprovisioned', event))).toEqual({
      id: 'evt_1',
      workspaceId: 'ws_1',
      userId: 'usr_1',
      accountIds: ['acc_1', 'acc_2'],
      accountIdsThroughTeams: ['acc_3'],
    });
  });

  it('drops what is not a user.deprovisioned event instead of failing the batch forever', () => {
    expect(parseDeprovisioned(envelope('user.provisioned', event))).toBeUndefined();
    expect(parseDeprovisioned(envelope('user.deprovisioned', { ...event, id: 3 }))).toBeUndefined();
    expect(parseDeprovisioned(envelope('user.deprovisioned', { ...event, detail: {} }))).toBeUndefined();
    expect(parseDeprovisioned('{not json')).toBeUndefined();
    expect(parseDeprovisioned(envelope('user.deprovisioned', null))).toBeUndefined();
  });
});
