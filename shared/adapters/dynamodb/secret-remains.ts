import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { SecretRemains } from '../../domain/secrets/cleanup';
import { deleteKeys, queryAll } from './operations';
import { vaultKeys } from './vault-repository';

/**
 * What a secret's partition still holds once TTL has removed the secret's own item: attachment
 * records, versions, grants. Nothing reads them any more; deleting them is clean-up, and removing the
 * attachment records sends their objects' deletion down the stream as well.
 */
export function makeSecretRemains(doc: DynamoDBDocumentClient, tableName: string): SecretRemains {
  return {
    async removeAll(secretId) {
      const partition = vaultKeys.secret(secretId)[TABLE.partitionKey];
      const items = await queryAll(doc, tableName, {
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': partition },
        ProjectionExpression: '#pk, #sk',
        ConsistentRead: true,
      });
      await deleteKeys(
        doc,
        tableName,
        items.map((item) => ({
          [TABLE.partitionKey]: item[TABLE.partitionKey],
          [TABLE.sortKey]: item[TABLE.sortKey],
        })),
      );
      return items.length;
    },
  };
}
