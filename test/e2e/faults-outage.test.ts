import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import {
  bootPersistedStack,
  databaseOutage,
  mailFailing,
  outboxMailFailing,
  poisonMessages,
  pushFailing,
} from '../../scripts/fault-cases';

/** Small versions of `npm run faults`, on one persisted stack (the outage case stops its database). */
describe('faults: poison messages, SNS failing, SES failing (rotation email, outboxed email), database outage', () => {
  let stack: LocalStack;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    ({ stack, remove } = await bootPersistedStack());
  });
  afterAll(() => remove?.());

  it('sends a poison message in each queue to its DLQ and processes the rest of its batch', async () => {
    const result = await poisonMessages(stack, 2);

    expect(result.problems).toEqual([]);
    expect(result.figures).toMatchObject({ 'good SMS stored': 2, 'good emails stored': 2 });
  });

  it('keeps the change while SNS fails: the push is retried, or dead-lettered when SNS stays down', async () => {
    const result = await pushFailing(stack, 1);

    expect(result.problems).toEqual([]);
    expect(result.figures).toMatchObject({ 'pushes sent after retries': 1 });
  });

  it('keeps the change while SES fails: the email is retried with its job, or dead-lettered and redriven', async () => {
    const result = await mailFailing(stack);

    expect(result.problems).toEqual([]);
    expect(result.figures).toMatchObject({
      'rotations failed as asked': 2,
      'emails sent after SES came back': 1,
      'jobs dead-lettered owing the email': 1,
      'emails sent after a redrive': 1,
    });
  });

  it('keeps a device registration while SES fails: its code email is retried, or dead-lettered and redriven once', async () => {
    const result = await outboxMailFailing(stack);

    expect(result.problems).toEqual([]);
    expect(result.figures).toMatchObject({
      'registrations answered 201 while SES was down': 2,
      'emails sent after SES came back': 1,
      'records dead-lettered by the relay': 1,
      'emails sent before a redrive': 0,
      'emails sent after a redrive': 1,
      'emails after a second redrive': 1,
      'devices verified with the delayed codes': 2,
    });
  });

  // Last: it stops the database and restarts it on the same files.
  it('answers 503 with Retry-After fast while DynamoDB is down, writes nothing half, and recovers', async () => {
    const result = await databaseOutage(stack, 2);

    expect(result.problems).toEqual([]);
    expect(result.figures).toMatchObject({ '503 answers': 2 });
  });
});
