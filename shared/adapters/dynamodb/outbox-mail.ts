import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { EncryptedSecret } from '../../domain/accounts/model';
import { type DomainEvent, MAIL_EVENT } from '../../domain/events';
import type { Clock, IdGenerator, Keyring, Mailer, MailOutbox, OutgoingEmail } from '../../domain/ports';
import { outboxKey, outboxPut } from './outbox';

/** The keyring context of a sealed email: it opens only as the email of that one outbox event. */
const sealContext = (eventId: string) => ({ purpose: 'outbox-email', eventId });

/** How long the relay remembers an email it sent: longer than the stream keeps a record (24 h). */
const SENT_RETENTION_SECONDS = 2 * 24 * 60 * 60;

/**
 * Emails as outbox events. The rendered email (which may hold a verification code or a magic link)
 * is sealed with the keyring (KMS envelope in AWS) before it is stored: the outbox item holds no
 * secret in plaintext, and only the relay, which may decrypt, opens it.
 */
export function makeMailOutbox(keyring: Keyring, deps: { clock: Clock; newId: IdGenerator }): MailOutbox {
  return {
    async event(email) {
      const id = deps.newId('evt');
      const sealed = await keyring.seal(JSON.stringify(email), sealContext(id));
      // Internal work, not a workspace's event: nothing routes on it.
      return {
        id,
        type: MAIL_EVENT,
        occurredAt: deps.clock.now().toISOString(),
        workspaceId: '',
        detail: { sealed },
      };
    },
  };
}

/**
 * The mailer of request paths whose email is not tied to a write of their own (a notice, an alert):
 * each email becomes one outbox item, one conditional Put. No SES call happens inside the request;
 * the relay sends after commit and retries until sent or dead-lettered.
 */
export function makeOutboxMailer(doc: DynamoDBDocumentClient, tableName: string, outbox: MailOutbox): Mailer {
  return {
    async send(email) {
      const event = await outbox.event(email);
      await doc.send(new PutCommand(outboxPut(tableName, event).Put));
      return { messageId: event.id };
    },
  };
}

const sentKey = (eventId: string) => ({ ...outboxKey(eventId), [TABLE.sortKey]: 'SENT' });

/**
 * The relay's side: opens a mail event and sends it, once per event id as far as it can tell. The
 * stream delivers at least once (a replayed batch, a retry after a later record failed): an event
 * already marked sent is skipped. The mark is written after SES accepted the email, so a crash
 * between the two sends it again rather than never (at least once, never zero).
 */
export function makeOutboxMailDelivery(deps: {
  keyring: Keyring;
  mailer: Mailer;
  doc: DynamoDBDocumentClient;
  tableName: string;
}) {
  return async (event: DomainEvent): Promise<'sent' | 'already_sent'> => {
    const { Item } = await deps.doc.send(
      new GetCommand({ TableName: deps.tableName, Key: sentKey(event.id), ConsistentRead: true }),
    );
    if (Item) return 'already_sent';
    const sealed = event.detail.sealed as EncryptedSecret | undefined;
    if (!sealed) throw new Error(`mail event ${event.id} carries no sealed email`);
    const email = JSON.parse(await deps.keyring.open(sealed, sealContext(event.id))) as OutgoingEmail;
    const { messageId } = await deps.mailer.send(email);
    await deps.doc.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: {
          ...sentKey(event.id),
          [TABLE.entityAttribute]: 'outbox_sent',
          messageId,
          [TABLE.ttlAttribute]: Math.floor(Date.now() / 1000) + SENT_RETENTION_SECONDS,
        },
      }),
    );
    return 'sent';
  };
}
