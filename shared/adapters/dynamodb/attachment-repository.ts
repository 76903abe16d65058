import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { Attachment, AttachmentRepository } from '../../domain/secrets/attachments';
import { cancellationCodes, itemExists, itemIsNew } from './conditions';
import { deleteKeys, queryPrefix, withoutTableAttributes } from './operations';
import { vaultKeys } from './vault-repository';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

export const attachmentKeys = {
  /** In the secret's partition, next to its versions and grants. */
  attachment: (secretId: string, attachmentId: string) => ({
    [PK]: `SECRET#${secretId}`,
    [SK]: `ATTACHMENT#${attachmentId}`,
  }),
  prefix: 'ATTACHMENT#',
};

/** The secret is live and holds fewer than `:max` attachments: the counter lives on the secret item. */
const secretTakesOneMore = {
  ConditionExpression:
    'attribute_exists(#pk) AND attribute_not_exists(#deletedAt) AND (attribute_not_exists(#count) OR #count < :max)',
  ExpressionAttributeNames: { '#pk': PK, '#deletedAt': 'deletedAt', '#count': 'attachmentCount' },
};

const toAttachment = (item: Record<string, unknown>) => withoutTableAttributes(item) as unknown as Attachment;

export function makeAttachmentRepository(
  doc: DynamoDBDocumentClient,
  tableName: string,
): AttachmentRepository {
  const transact = async (items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]>) => {
    try {
      await doc.send(new TransactWriteCommand(items));
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      return codes;
    }
  };

  return {
    async create(attachment, max) {
      const codes = await transact({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: vaultKeys.secret(attachment.secretId),
              UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one',
              ...secretTakesOneMore,
              ExpressionAttributeValues: { ':max': max, ':zero': 0, ':one': 1 },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                ...attachmentKeys.attachment(attachment.secretId, attachment.id),
                [TABLE.entityAttribute]: 'SecretAttachment',
                ...attachment,
              },
              ...itemIsNew,
            },
          },
        ],
      });
      if (!codes) return 'applied';
      const secret = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: vaultKeys.secret(attachment.secretId),
          ConsistentRead: true,
        }),
      );
      const live = secret.Item && secret.Item.deletedAt === undefined;
      return live && Number(secret.Item?.attachmentCount ?? 0) >= max ? 'limit' : 'not_live';
    },

    async get(secretId, attachmentId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: attachmentKeys.attachment(secretId, attachmentId),
          ConsistentRead: true,
        }),
      );
      return Item ? toAttachment(Item) : undefined;
    },

    async list(secretId) {
      return (await queryPrefix(doc, tableName, `SECRET#${secretId}`, attachmentKeys.prefix)).map(
        toAttachment,
      );
    },

    async remove(attachment) {
      const codes = await transact({
        TransactItems: [
          {
            Delete: {
              TableName: tableName,
              Key: attachmentKeys.attachment(attachment.secretId, attachment.id),
              ...itemExists,
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: vaultKeys.secret(attachment.secretId),
              UpdateExpression: 'SET #count = #count - :one',
              ConditionExpression: 'attribute_exists(#pk) AND #count > :zero',
              ExpressionAttributeNames: { '#pk': PK, '#count': 'attachmentCount' },
              ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
            },
          },
        ],
      });
      return codes ? 'conflict' : 'applied';
    },

    async removeAll(secretId) {
      const items = await queryPrefix(doc, tableName, `SECRET#${secretId}`, attachmentKeys.prefix);
      await deleteKeys(
        doc,
        tableName,
        items.map((item) => ({ [PK]: item[PK], [SK]: item[SK] })),
      );
    },
  };
}
