import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export type UpdateInput = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>;

/** An update whose condition may fail: the output, or undefined when the condition refused it. */
export async function conditionalUpdate(doc: DynamoDBDocumentClient, tableName: string, input: UpdateInput) {
  try {
    return await doc.send(new UpdateCommand({ TableName: tableName, ...input }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** Deletes items 25 at a time, resending whatever DynamoDB leaves unprocessed. */
export async function deleteKeys(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    while (requests.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
    }
  }
}
