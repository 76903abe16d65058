import { fileURLToPath } from 'node:url';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  type HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config/env';
import {
  bypassesJwtAuthorizer,
  DEFAULT_ROUTE_GROUP,
  listRoutes,
  ROUTE_GROUPS,
  type RouteGroup,
} from '../shared/http/routes';
import type { LatchkeyConfig } from './config';
import { AttachmentCleanup } from './constructs/attachment-cleanup';
import { DomainEvents } from './constructs/domain-events';
import { InboundEmail } from './constructs/inbound-email';
import { InboundSms } from './constructs/inbound-sms';
import { LatchkeyFunction } from './constructs/latchkey-function';
import { OutboxRelay } from './constructs/outbox-relay';
import { PushDelivery } from './constructs/push-delivery';
import { PushPlatforms } from './constructs/push-platforms';
import { Rotation } from './constructs/rotation';
import { WorkspaceBootstrap } from './constructs/workspace-bootstrap';

export interface ApiStackProps extends StackProps {
  config: LatchkeyConfig;
  table: ITable;
  hmacKey: IKey;
  secretsKey: IKey;
  inboundSmsTopic: ITopic;
  messagingKey: IKey;
  eventBus: IEventBus;
  attachmentsBucket: IBucket;
}

/** Per-route throttling of the SCIM routes (Entra ID and Okta stay well under it; docs/scim.md). */
const SCIM_THROTTLE = { rateLimit: 25, burstLimit: 50 };

/**
 * What each group's function may touch, and the only place its grants come from: the loop below
 * turns each entry into grants (table read or read-write, the HMAC key, SES, push registration, the
 * secrets key, End User Messaging); anything not listed it gets no permission for. A test
 * (`test/infra/grants.test.ts`) derives the same from the adapter modules each entry reaches (and
 * whether any of them writes to the table) and fails when the two disagree. Every HTTP group writes:
 * resolving the caller provisions users just in time and device checks record `lastSeenAt`.
 */
export const GROUP_NEEDS: Record<
  RouteGroup,
  {
    table?: 'read' | 'readwrite';
    hmac?: true;
    mail?: true;
    push?: 'register';
    secrets?: true;
    phone?: true;
    attachments?: true;
  }
> = {
  system: {},
  users: { table: 'readwrite', hmac: true, secrets: true },
  devices: { table: 'readwrite', hmac: true, secrets: true },
  notifications: { table: 'readwrite', hmac: true, secrets: true },
  push: { table: 'readwrite', hmac: true, push: 'register' },
  identity: { table: 'readwrite', hmac: true, secrets: true },
  accounts: { table: 'readwrite', hmac: true, secrets: true },
  phone: { table: 'readwrite', hmac: true, secrets: true, phone: true },
  totp: { table: 'readwrite', hmac: true, secrets: true },
  // The SCIM token is checked with the HMAC key; deprovisioning's push clean-up goes through the outbox,
  // and so does the admins' email when the IdP removes the last owner (sealed: the secrets key).
  scim: { table: 'readwrite', hmac: true, secrets: true },
  directory: { table: 'readwrite', hmac: true },
  secrets: { table: 'readwrite', hmac: true, secrets: true },
  attachments: { table: 'readwrite', hmac: true, secrets: true, attachments: true },
  sharelinks: { table: 'readwrite', hmac: true, secrets: true },
  logout: { table: 'readwrite', hmac: true, secrets: true },
};

export function entryOf(group: RouteGroup): string {
  // SCIM is its own function group with its own auth (the workspace's SCIM token).
  const file = group === 'scim' ? '../functions/scim/handler.ts' : `../functions/http/${group}.ts`;
  return fileURLToPath(new URL(file, import.meta.url));
}

/** The HTTP API, its JWT authorizer, and one function per route group, all from the route manifest. */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<RouteGroup, LatchkeyFunction>;
  readonly push: PushDelivery;
  readonly inbound: InboundSms;
  readonly inboundEmail: InboundEmail;
  readonly pushPlatforms: PushPlatforms;
  readonly workspaceBootstrap?: WorkspaceBootstrap;
  /** What the web app signs in with (OIDC authorization code + PKCE). */
  readonly webSignIn: { issuer: string; clientId: string; connectOrigins: string[] };
  readonly outbox: OutboxRelay;
  /** Where published domain events go: an archive, and a queue per subscribed event type. */
  readonly domainEvents: DomainEvents;
  readonly rotation: Rotation;
  /** Deletes the objects of removed attachment records and of secrets purged by TTL (table stream). */
  readonly attachmentCleanup: AttachmentCleanup;
  /** The consumer of `user.deprovisioned` that queues rotations. */
  readonly deprovisionedRotations: LatchkeyFunction;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    const cognito = config.jwt ? undefined : this.createUserPool(config);
    const jwt = config.jwt ?? (cognito as NonNullable<typeof cognito>).jwt;
    this.webSignIn = cognito
      ? cognito.signIn
      : {
          issuer: jwt.issuer,
          clientId: jwt.audience[0] ?? '',
          // The customer's IdP serves discovery and tokens from its issuer's origin.
          connectOrigins: [new URL(jwt.issuer).origin],
        };
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', jwt.issuer, { jwtAudience: jwt.audience });

    const platforms = new PushPlatforms(this, 'PushPlatforms', {
      ...config.push,
      logRetention: config.logRetentionDays,
    });
    this.push = new PushDelivery(this, 'Push', {
      table: props.table,
      applicationArns: platforms.applicationArns,
      logRetention: config.logRetentionDays,
    });
    this.pushPlatforms = platforms;
    if (config.bootstrap) {
      this.workspaceBootstrap = new WorkspaceBootstrap(this, 'WorkspaceBootstrap', {
        ...config.bootstrap,
        table: props.table,
        logRetention: config.logRetentionDays,
      });
    }
    this.rotation = new Rotation(this, 'Rotation', {
      table: props.table,
      secretsKey: props.secretsKey,
      emailFrom: config.emailFrom,
      logRetention: config.logRetentionDays,
    });
    // Request paths and inbound consumers write push work to the table's outbox; only the relay sends to SQS.
    this.outbox = new OutboxRelay(this, 'Outbox', {
      table: props.table,
      bus: props.eventBus,
      pushQueue: this.push.queue,
      rotationQueue: this.rotation.queue,
      secretsKey: props.secretsKey,
      emailFrom: config.emailFrom,
      logRetention: config.logRetentionDays,
    });
    this.domainEvents = new DomainEvents(this, 'DomainEvents', { bus: props.eventBus });
    this.attachmentCleanup = new AttachmentCleanup(this, 'AttachmentCleanup', {
      table: props.table,
      bucket: props.attachmentsBucket,
      logRetention: config.logRetentionDays,
    });
    // user.deprovisioned -> rotations of the accounts in its set (the others: the rotate-by-hand list).
    this.deprovisionedRotations = new LatchkeyFunction(this, 'DeprovisionedRotations', {
      entry: fileURLToPath(new URL('../functions/events/deprovisioned-rotations.ts', import.meta.url)),
      description: 'Latchkey: queues password rotations when a user is deprovisioned',
      logRetention: config.logRetentionDays,
    }).bindTable(props.table, 'readwrite');
    this.deprovisionedRotations.addEventSource(
      new SqsEventSource(this.domainEvents.queues['user.deprovisioned'], {
        batchSize: 10,
        reportBatchItemFailures: true,
      }),
    );

    this.inbound = new InboundSms(this, 'InboundSms', {
      table: props.table,
      topic: props.inboundSmsTopic,
      logRetention: config.logRetentionDays,
      inboxRetentionDays: config.inboxRetentionDays,
    });
    this.inboundEmail = new InboundEmail(this, 'InboundEmail', {
      table: props.table,
      domain: config.inboundEmailDomain,
      logRetention: config.logRetentionDays,
      inboxRetentionDays: config.inboxRetentionDays,
    });

    const functions = new Map<RouteGroup, LatchkeyFunction>();
    for (const group of ROUTE_GROUPS) {
      const fn = new LatchkeyFunction(this, `${pascal(group)}Function`, {
        entry: entryOf(group),
        description: `Latchkey HTTP routes: ${group}`,
        logRetention: config.logRetentionDays,
        environment: {
          [ENV.workspaceClaim]: config.workspaceClaim,
          [ENV.maxBodyBytes]: String(config.maxBodyBytes),
          [ENV.emailFrom]: config.emailFrom,
          [ENV.webBaseUrl]: config.webBaseUrl,
          [ENV.stage]: config.stage,
        },
      });
      const needs = GROUP_NEEDS[group];
      if (needs.table) fn.bindTable(props.table, needs.table);
      if (needs.hmac) fn.bindHmacKey(props.hmacKey);
      if (needs.mail) fn.bindMailer(config.emailFrom);
      if (needs.push === 'register') this.push.bindRegistration(fn, platforms.applicationArns);
      if (needs.secrets) fn.bindSecretsKey(props.secretsKey);
      if (needs.phone) this.inbound.bindPhoneNumbers(fn);
      if (needs.attachments) {
        // Presigned POST and GET are signed with this role: it may put and read attachments only.
        // Deleting is the attachment clean-up's (the table stream), whatever removed the record.
        const bucket = props.attachmentsBucket;
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['s3:PutObject', 's3:GetObject'],
            resources: [bucket.arnForObjects('attachments/*')],
          }),
        );
        // HeadObject of a key not uploaded yet answers 404 (not 403) only with ListBucket.
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        );
        bucket.encryptionKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
        fn.addEnvironment(ENV.attachmentsBucket, props.attachmentsBucket.bucketName);
      }
      fn.addEnvironment(ENV.inboundEmailDomain, config.inboundEmailDomain);
      fn.addEnvironment(ENV.inboxRetentionDays, String(config.inboxRetentionDays));
      functions.set(group, fn);
    }
    this.functions = functions;

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `latchkey-${config.stage}`,
      description: 'Latchkey HTTP API',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            latency: '$context.responseLatency',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integrations = new Map<RouteGroup, HttpLambdaIntegration>();
    const integrationOf = (group: RouteGroup) => {
      let integration = integrations.get(group);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${pascal(group)}Integration`,
          functions.get(group) as LatchkeyFunction,
          // One invoke permission per function for this API, not one per route: 120-odd routes each
          // with its own AWS::Lambda::Permission took the stack past CloudFormation's 500 resources.
          // API Gateway still sends a function only the routes the manifest gives its group.
          { scopePermissionToRoute: false },
        );
        integrations.set(group, integration);
      }
      return integration;
    };
    for (const route of listRoutes()) {
      new HttpRoute(this, `Route${pascal(route.id)}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, route.method as HttpMethod),
        integration: integrationOf(route.group),
        // SCIM and IdP routes bypass the JWT authorizer: their function checks the SCIM token or the
        // IdP-signed request token itself.
        authorizer: bypassesJwtAuthorizer(route.auth) ? new HttpNoneAuthorizer() : authorizer,
      });
    }
    // SCIM gets its own throttling: an IdP's bulk sync must not starve (or be starved by) the app's users.
    const scimRouteSettings = Object.fromEntries(
      listRoutes()
        .filter((route) => route.auth === 'scim')
        .map((route) => [
          `${route.method} ${route.path}`,
          { ThrottlingRateLimit: SCIM_THROTTLE.rateLimit, ThrottlingBurstLimit: SCIM_THROTTLE.burstLimit },
        ]),
    );
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', scimRouteSettings);
    // Everything the manifest does not name: the system function answers 404 `not_found` in our format.
    new HttpRoute(this, 'RouteDefault', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrationOf(DEFAULT_ROUTE_GROUP),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'JwtIssuer', { value: jwt.issuer });
  }

  private createUserPool(config: LatchkeyConfig) {
    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `latchkey-${config.stage}`,
      signInAliases: { email: true },
      selfSignUpEnabled: false,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      customAttributes: {
        [config.workspaceClaim.replace(/^custom:/, '')]: new StringAttribute({ mutable: false }),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The web app signs in through the hosted UI: authorization code with PKCE, a public client.
    const domain = pool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: config.cognitoDomainPrefix ?? `latchkey-${config.stage}` },
    });
    const client = new UserPoolClient(this, 'UserPoolClient', {
      userPool: pool,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${config.webBaseUrl.replace(/\/+$/, '')}/callback`],
        logoutUrls: [config.webBaseUrl],
      },
    });
    new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${pool.userPoolId}`;
    return {
      jwt: { issuer, audience: [client.userPoolClientId] },
      signIn: {
        issuer,
        clientId: client.userPoolClientId,
        connectOrigins: [`https://cognito-idp.${this.region}.amazonaws.com`, domain.baseUrl()],
      },
    };
  }
}

function pascal(value: string): string {
  return value.replace(/(^|[-_])(\w)/g, (_m, _sep, char: string) => char.toUpperCase());
}
