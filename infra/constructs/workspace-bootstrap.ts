import { fileURLToPath } from 'node:url';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { LatchkeyFunction } from './latchkey-function';

export interface WorkspaceBootstrapProps {
  table: ITable;
  workspace: string;
  ownerEmail: string;
  jitEmailDomains: string[];
  logRetention: RetentionDays;
}

/**
 * The first workspace and its first owner, from CDK context (`bootstrapWorkspace`,
 * `bootstrapOwnerEmail`, `bootstrapJitDomains`): a custom resource whose function runs the same
 * bootstrap use case as `npm run bootstrap`. Changing the owner email in context names a new owner;
 * removing the resource leaves the workspace alone.
 */
export class WorkspaceBootstrap extends Construct {
  readonly handler: LatchkeyFunction;
  readonly provider: Provider;

  constructor(scope: Construct, id: string, props: WorkspaceBootstrapProps) {
    super(scope, id);
    this.handler = new LatchkeyFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../../functions/jobs/bootstrap-workspace.ts', import.meta.url)),
      description: 'Latchkey: bootstraps the workspace named in CDK context with its first owner',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    this.handler.bindTable(props.table, 'readwrite');
    this.provider = new Provider(this, 'Provider', { onEventHandler: this.handler });
    new CustomResource(this, 'Workspace', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::WorkspaceBootstrap',
      properties: {
        Workspace: props.workspace,
        OwnerEmail: props.ownerEmail,
        JitEmailDomains: props.jitEmailDomains,
      },
    });
  }
}
