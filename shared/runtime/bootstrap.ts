import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { newId, systemClock } from '../adapters/ids';
import { type BootstrapInput, bootstrapWorkspace } from '../domain/directory/bootstrap';

/**
 * Bootstrap composed over a table: the one door the CDK custom resource, `npm run bootstrap`, the
 * local seed and the e2e helper all go through.
 */
export function bootstrapOn(doc: DynamoDBDocumentClient, tableName: string) {
  const deps = {
    users: makeUserRepository(doc, tableName),
    directory: makeDirectoryRepository(doc, tableName),
    clock: systemClock,
    newId,
  };
  return (input: BootstrapInput) => bootstrapWorkspace(input, deps);
}
