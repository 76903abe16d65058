import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { makeDeviceRepository } from '../../shared/adapters/dynamodb/device-repository';
import { makeEmailQuota } from '../../shared/adapters/dynamodb/email-quota';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { joseDeviceKeys } from '../../shared/adapters/jose/device-keys';
import { defaultDeviceEmails } from '../../shared/domain/devices/emails';
import type { OutgoingEmail, SecurityEvent } from '../../shared/domain/ports';
import { fixedClock, mailOnCommit } from './fakes';

/**
 * The device use cases' dependencies on DynamoDB Local with the real repositories, HMAC and email
 * templates; emails and security events are captured. Each suite adds its own notifier, queue,
 * workspace admins and rules, the parts its tests observe.
 */
export function deviceDepsOnTable(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: { start: string; hmacKeyByte: number },
) {
  const clock = fixedClock(options.start);
  // Codes go out through the outbox: an email counts once the write that carries it commits.
  const { emails, mailOutbox, deliverFrom } = mailOnCommit();
  const events: SecurityEvent[] = [];
  const users = makeUserRepository(doc, tableName);
  const base = {
    users,
    devices: deliverFrom(makeDeviceRepository(doc, tableName), ['create', 'replaceCode', 'switchToCode']),
    emailQuota: makeEmailQuota(doc, tableName),
    mailOutbox,
    mailer: {
      send: async (email: OutgoingEmail) => {
        emails.push(email);
        return { messageId: `m-${emails.length}` };
      },
    },
    hmac: makeHmac(async () => Buffer.alloc(32, options.hmacKeyByte)),
    clock,
    newId,
    security: { record: (event: SecurityEvent) => events.push(event) },
    emails: defaultDeviceEmails,
    deviceKeys: joseDeviceKeys,
  };
  /** The six-digit code in an email, or '' when there is none. */
  const codeIn = (email: OutgoingEmail | undefined) => /code is (\d{6})/.exec(email?.text ?? '')?.[1] ?? '';
  return { base, clock, emails, events, codeIn };
}
