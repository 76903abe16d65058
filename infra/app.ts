import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ApiStack } from './api-stack';
import { readConfig } from './config';
import { Operations } from './constructs/operations';
import { applySuppressions } from './nag';
import { StatefulStack } from './stateful-stack';
import { WebStack } from './web-stack';

/** The route groups that send device codes and magic links (reserved concurrency by context). */
export const CODE_SENDER_GROUPS = ['devices', 'identity'] as const;

/** Context every Latchkey app starts from; `-c` flags and cdk.json add to it. */
export const BASE_CONTEXT = { '@aws-cdk/core:defaultCrossStackReferences': 'strong' };

export function buildApp(app: App = new App({ context: BASE_CONTEXT })) {
  const config = readConfig(app.node);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, `Latchkey-${config.stage}-Stateful`, {
    env,
    description: 'Latchkey: table and keys (retained)',
    attachmentOrigins: [new URL(config.webBaseUrl).origin],
  });
  const api = new ApiStack(app, `Latchkey-${config.stage}-Api`, {
    env,
    description: 'Latchkey: HTTP API and functions',
    config,
    table: stateful.table,
    hmacKey: stateful.hmacKey,
    secretsKey: stateful.secretsKey,
    inboundSmsTopic: stateful.inboundSmsTopic,
    messagingKey: stateful.messagingKey,
    eventBus: stateful.eventBus,
    attachmentsBucket: stateful.attachmentsBucket,
  });
  api.addStackDependency(stateful);
  const web = new WebStack(app, `Latchkey-${config.stage}-Web`, {
    env,
    description: 'Latchkey: the web app on CloudFront, with /v1/* routed to the API',
    api: api.api,
    signIn: api.webSignIn,
    logRetentionDays: config.logRetentionDays,
  });
  web.addStackDependency(api);
  // Last in the API stack, so its loops see every function and queue the stack holds.
  const operations = new Operations(api, 'Operations', {
    stage: config.stage,
    table: stateful.table,
    api: api.api,
    ...config.operations,
    codeFailureThreshold: config.operations.codeFailureAlarmThreshold,
    codeSenders: CODE_SENDER_GROUPS.flatMap((group) => api.functions.get(group) ?? []),
  });
  applySuppressions(stateful, api, web);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  Aspects.of(app).add(new ServerlessChecks({ verbose: true }));
  return { app, stateful, api, web, config, operations };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  buildApp().app.synth();
}
