import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { sharedDocumentClient } from '../../shared/adapters/dynamodb/client';
import { ENV, requireEnv } from '../../shared/config/env';
import { logger } from '../../shared/observability';
import { instrument } from '../../shared/observability/telemetry';
import { bootstrapOn } from '../../shared/runtime/bootstrap';

const bootstrap = bootstrapOn(sharedDocumentClient(), requireEnv(ENV.tableName));

/**
 * Custom resource (Provider framework onEvent): bootstraps the workspace CDK context names, with its
 * first owner. Create and Update apply it (idempotently); Delete leaves the workspace alone: removing
 * the resource from the stack must never delete a customer's directory.
 */
export const handler = instrument(async (event: CloudFormationCustomResourceEvent) => {
  const properties = event.ResourceProperties as unknown as {
    Workspace: string;
    OwnerEmail: string;
    JitEmailDomains?: string[];
  };
  const physicalId = `workspace:${properties.Workspace.toLowerCase()}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const result = await bootstrap({
    workspaceName: properties.Workspace,
    ownerEmail: properties.OwnerEmail,
    jitEmailDomains: properties.JitEmailDomains ?? [],
  });
  // The owner's email stays out of the log: the workspace and the outcome say what happened.
  logger.info('workspace bootstrapped', { workspace: result.workspace.name, outcome: result.outcome });
  return { PhysicalResourceId: physicalId, Data: { WorkspaceId: result.workspace.id } };
});
