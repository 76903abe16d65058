import { existsSync, readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_CONTEXT, buildApp, CODE_SENDER_GROUPS } from '../../infra/app';
import { DEFAULT_RUNBOOK_BASE } from '../../infra/config';
import { LatchkeyFunction } from '../../infra/constructs/latchkey-function';
import { Operations, RUNBOOKS, THRESHOLDS } from '../../infra/constructs/operations';
import { METRICS, METRICS_NAMESPACE } from '../../shared/observability/metrics';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
type Resource = { Properties: Record<string, unknown> };

/** The app with an alarm email and reserved concurrency for the code senders, synthesized once. */
function synth() {
  const built = buildApp(
    new App({
      context: {
        ...BASE_CONTEXT,
        ...NO_BUNDLING,
        alarmEmail: 'oncall@latchkey.example',
        codeSenderReservedConcurrency: '20',
        codeFailureAlarmThreshold: '40',
      },
    }),
  );
  return { ...built, template: Template.fromStack(built.api) };
}

const ref = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe('operations: dashboard, alarms, runbooks', () => {
  let app: ReturnType<typeof synth>;
  let alarms: Resource[];
  let topicRef: string;
  beforeAll(() => {
    app = synth();
    alarms = Object.values(app.template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    topicRef = ref(app.api, app.operations.topic);
  });

  const alarmsOn = (metricName: string, dimension: string, logicalId: string) =>
    alarms.filter(
      (alarm) =>
        alarm.Properties.MetricName === metricName &&
        JSON.stringify(alarm.Properties.Dimensions ?? []).includes(`"Name":"${dimension}"`) &&
        JSON.stringify(alarm.Properties.Dimensions ?? []).includes(`"${logicalId}"`),
    );

  it('creates one dashboard for the stage with every section the issue lists', () => {
    const dashboards = Object.values(app.template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe('latchkey-dev');
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const metric of [
      '5xx',
      'Latency',
      METRICS.apiRequests,
      METRICS.apiLatency,
      'Errors',
      'Throttles',
      'Duration',
      'ConcurrentExecutions',
      'ReadThrottleEvents',
      'ConsumedWriteCapacityUnits',
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'Bounce',
      'Complaint',
      METRICS.pushFailed,
      METRICS.codesSent,
      METRICS.approvalsRequested,
      METRICS.identityChallenges,
      METRICS.inboundCodesExtracted,
      METRICS.loginGrantsIssued,
      METRICS.rotationsFailed,
      METRICS.scimRequests,
    ]) {
      expect(body, metric).toContain(metric.replace(/"/g, '\\"'));
    }
    // Every function appears on the Lambda widgets.
    for (const fn of Object.keys(app.template.findResources('AWS::Lambda::Function'))) {
      expect(body).toContain(fn);
    }
  });

  it('gives every function an error alarm and a throttle alarm', () => {
    const functions = Object.keys(app.template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      expect(alarmsOn('Errors', 'FunctionName', fn), fn).toHaveLength(1);
      expect(alarmsOn('Throttles', 'FunctionName', fn), fn).toHaveLength(1);
      expect(alarmsOn('Errors', 'FunctionName', fn)[0]?.Properties).toMatchObject({
        Threshold: 1,
        Statistic: 'Sum',
        Period: 300,
      });
    }
  });

  it('alarms on every dead-letter queue (one alarm each) and on the age of every work queue', () => {
    const queues = app.template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    const deadLetterIds = new Set<string>();
    for (const [id, queue] of Object.entries(queues)) {
      const redrive = queue.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
      if (!redrive) {
        deadLetterIds.add(id);
        continue;
      }
      // Every work queue has a dead-letter queue, in this stack, and its age is watched.
      const target = JSON.stringify(redrive.deadLetterTargetArn).match(/"Fn::GetAtt":\["([^"]+)"/)?.[1];
      expect(target && queues[target], id).toBeTruthy();
      expect(alarmsOn('ApproximateAgeOfOldestMessage', 'QueueName', id)[0]?.Properties, id).toMatchObject({
        Threshold: THRESHOLDS.queueAgeSeconds,
      });
    }
    expect(deadLetterIds.size).toBeGreaterThanOrEqual(5);
    for (const id of deadLetterIds) {
      const found = alarmsOn('ApproximateNumberOfMessagesVisible', 'QueueName', id);
      expect(found, id).toHaveLength(1);
      expect(found[0]?.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(String(found[0]?.Properties.AlarmDescription)).toContain(`/${RUNBOOKS.deadLetters}.md`);
    }
  });

  it('has the service alarms with their thresholds', () => {
    const named = (name: string) =>
      alarms.find((alarm) => alarm.Properties.AlarmName === `latchkey-dev-${name}`)?.Properties;
    expect(named('api-5xx-rate')).toMatchObject({ Threshold: THRESHOLDS.api5xxPercent });
    expect(JSON.stringify(named('api-5xx-rate')?.Metrics)).toContain('5xx');
    expect(named('dynamodb-throttles')).toMatchObject({ Threshold: 1 });
    expect(JSON.stringify(named('dynamodb-throttles')?.Metrics)).toContain('WriteThrottleEvents');
    expect(named('ses-bounce-rate')).toMatchObject({
      MetricName: 'Reputation.BounceRate',
      Namespace: 'AWS/SES',
      Threshold: THRESHOLDS.sesBounceRate,
    });
    expect(named('ses-complaint-rate')).toMatchObject({
      MetricName: 'Reputation.ComplaintRate',
      Threshold: THRESHOLDS.sesComplaintRate,
    });
    // Below SES's enforcement (review) thresholds: 5% bounces, 0.1% complaints.
    expect(THRESHOLDS.sesBounceRate).toBeLessThan(0.05);
    expect(THRESHOLDS.sesComplaintRate).toBeLessThan(0.001);
    expect(named('push-failure-rate')).toMatchObject({ Threshold: THRESHOLDS.pushFailurePercent });
    expect(JSON.stringify(named('push-failure-rate')?.Metrics)).toContain(METRICS.pushFailed);
    expect(named('code-verification-failures')).toMatchObject({
      MetricName: METRICS.codeVerificationsFailed,
      Namespace: METRICS_NAMESPACE,
      Threshold: 40,
    });
    expect(named('rotation-failures')).toMatchObject({
      MetricName: 'RotationsFailed',
      Namespace: 'Latchkey',
      Dimensions: [{ Name: 'service', Value: 'latchkey' }],
      Threshold: 1,
    });
    expect(named('workspace-owner-lost')).toMatchObject({
      MetricName: 'WorkspaceOwnerLost',
      Namespace: 'Latchkey',
      Dimensions: [{ Name: 'service', Value: 'latchkey' }],
      Threshold: 1,
    });
  });

  it('sends every alarm to the encrypted alarm topic, which mails the address from context', () => {
    expect(alarms.length).toBeGreaterThan(40);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions, String(alarm.Properties.AlarmName)).toEqual([{ Ref: topicRef }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicRef }]);
    }
    app.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
      DisplayName: 'Latchkey dev alarms',
    });
    app.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@latchkey.example',
      TopicArn: { Ref: topicRef },
    });
  });

  it('adds a composite "service degraded" alarm over the service alarms', () => {
    const composite = Object.values(
      app.template.findResources('AWS::CloudWatch::CompositeAlarm'),
    ) as Resource[];
    expect(composite).toHaveLength(1);
    const props = composite[0]?.Properties ?? {};
    expect(props.AlarmName).toBe('latchkey-dev-service-degraded');
    expect(props.AlarmActions).toEqual([{ Ref: topicRef }]);
    const rule = JSON.stringify(props.AlarmRule);
    for (const id of ['Api5xxRate', 'DynamoDbThrottles', 'PushFailureRate', 'SesBounceRate']) {
      expect(rule).toContain(id);
    }
    expect(String(props.AlarmDescription)).toContain(`${RUNBOOKS.serviceDegraded}.md`);
  });

  it('links a runbook that exists from every alarm, and saves a Logs Insights query per runbook', () => {
    const composite = Object.values(
      app.template.findResources('AWS::CloudWatch::CompositeAlarm'),
    ) as Resource[];
    const linked = new Set<string>();
    for (const alarm of [...alarms, ...composite]) {
      const description = String(alarm.Properties.AlarmDescription);
      const link = description.match(/Runbook: (\S+\.md)$/)?.[1];
      expect(link, description).toBeDefined();
      expect(link?.startsWith(`${DEFAULT_RUNBOOK_BASE}/`)).toBe(true);
      linked.add(link as string);
    }
    for (const runbook of Object.values(RUNBOOKS)) linked.add(`${DEFAULT_RUNBOOK_BASE}/${runbook}.md`);
    const queries = Object.values(app.template.findResources('AWS::Logs::QueryDefinition')) as Resource[];
    for (const link of linked) {
      expect(existsSync(link), link).toBe(true);
      const slug = link.slice(DEFAULT_RUNBOOK_BASE.length + 1, -3);
      if (slug === 'README') continue;
      // Each runbook names its saved query, which exists and reads some log group.
      expect(readFileSync(link, 'utf8')).toContain(`latchkey-<stage>/${slug}`);
      const query = queries.find((q) => q.Properties.Name === `latchkey-dev/${slug}`);
      expect(query, slug).toBeDefined();
      expect((query?.Properties.LogGroupNames as unknown[]).length).toBeGreaterThan(0);
    }
  });

  it('names the SES configuration set on every mail-sending function, with a CloudWatch event destination', () => {
    app.template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'latchkey-dev' });
    app.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        CloudWatchDestination: Match.anyValue(),
      }),
    });
    const senders = app.api.node
      .findAll()
      .filter((c): c is LatchkeyFunction => c instanceof LatchkeyFunction && c.sendsMail);
    // Request paths record their emails in the outbox: the relay sends them (and the rotation worker its own).
    expect(senders).toContain(app.api.outbox.handler);
    for (const fn of app.api.functions.values()) expect(senders, fn.node.path).not.toContain(fn);
    for (const fn of senders) {
      const props = (app.template.toJSON().Resources[ref(app.api, fn)] as Resource).Properties;
      const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.SES_CONFIGURATION_SET, fn.node.path).toBe('latchkey-dev');
    }
  });

  it('reserves concurrency for the code senders when the context asks, and samples X-Ray by context', () => {
    for (const group of CODE_SENDER_GROUPS) {
      const fn = app.api.functions.get(group);
      const props = (app.template.toJSON().Resources[ref(app.api, fn as never)] as Resource).Properties;
      expect(props.ReservedConcurrentExecutions, group).toBe(20);
    }
    const reserved = (
      Object.values(app.template.findResources('AWS::Lambda::Function')) as Resource[]
    ).filter((fn) => fn.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved).toHaveLength(CODE_SENDER_GROUPS.length);
    app.template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ FixedRate: 0.05, RuleName: 'latchkey-dev' }),
    });
  });
});

describe('operations on a stack that grows later', () => {
  /** Plain inline functions and queues: what another construct adds is watched without a line here. */
  function stackWith(extra: (stack: Stack) => void) {
    const stack = new Stack(new App(), 'Grows');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const api = new HttpApi(stack, 'Api');
    extra(stack);
    const operations = new Operations(stack, 'Ops', {
      stage: 'test',
      table,
      api,
      runbookBaseUrl: 'https://runbooks.example/latchkey/',
      codeFailureThreshold: 50,
      codeSenders: [],
      xraySamplingRate: 0,
    });
    return { stack, operations, template: Template.fromStack(stack) };
  }
  const inline = (stack: Stack, id: string) =>
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {}'),
    });

  it('alarms on functions and queues it was never told about, linking runbooks under the base URL', () => {
    const { template } = stackWith((stack) => {
      const dlq = new Queue(stack, 'LaterDlq');
      const work = new Queue(stack, 'LaterWork', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
      inline(stack, 'LaterFunction').addEventSource(new SqsEventSource(work));
      inline(stack, 'AnotherFunction');
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const names = alarms.map((alarm) => String(alarm.Properties.AlarmName));
    expect(names).toEqual(
      expect.arrayContaining([
        'latchkey-test-errors-LaterFunction',
        'latchkey-test-throttles-LaterFunction',
        'latchkey-test-errors-AnotherFunction',
        'latchkey-test-dlq-LaterDlq',
        'latchkey-test-queue-age-LaterWork',
      ]),
    );
    for (const alarm of alarms) {
      expect(String(alarm.Properties.AlarmDescription)).toMatch(
        /Runbook: https:\/\/runbooks\.example\/latchkey\/[a-z0-9-]+\.md$/,
      );
    }
    // xraySamplingRate 0 turns active tracing off.
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
    }
    template.resourceCountIs('AWS::XRay::SamplingRule', 0);
  });

  it('refuses a consumed queue without a dead-letter queue', () => {
    expect(() =>
      stackWith((stack) =>
        inline(stack, 'Consumer').addEventSource(new SqsEventSource(new Queue(stack, 'Bare'))),
      ),
    ).toThrow(/Bare is consumed by a function but has no dead-letter queue/);
  });
});
