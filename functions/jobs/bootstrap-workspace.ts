import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { logger } from '../../shared/observability';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * Custom resource (Provider framework onEvent): bootstraps the workspace CDK context names, with its
 * first owner. Create and Update apply it (idempotently); Delete leaves the workspace alone: removing
 * the resource from the stack must never delete a customer's directory. The table client and the
 * bootstrap use case load on the first event (module-load budget).
 */
export const handler = lazyHandler(async () => {
  const [{ sharedDocumentClient }, { ENV, requireEnv }, { bootstrapOn }] = await Promise.all([
    import('../../shared/adapters/dynamodb/client'),
    import('../../shared/config/env'),
    import('../../shared/runtime/bootstrap'),
  ]);
  const bootstrap = bootstrapOn(sharedDocumentClient(), requireEnv(ENV.tableName));
  return async (event: CloudFormationCustomResourceEvent) => {
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
  };
});
