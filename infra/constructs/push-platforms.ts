import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, Names, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { PushPlatform } from '../../shared/domain/devices/model';
import { LatchkeyFunction } from './latchkey-function';

/**
 * Secrets Manager secrets holding the push credentials (JSON):
 * - APNs (token auth): `{"signingKey": "-----BEGIN PRIVATE KEY-----...", "keyId", "teamId", "bundleId"}`
 * - FCM (HTTP v1): `{"serviceAccountJson": "<the Firebase service account key file, as a string>"}`
 */
export interface PushPlatformSecrets {
  apnsSecretArn?: string;
  apnsSandboxSecretArn?: string;
  fcmSecretArn?: string;
}

const SNS_PLATFORM: Record<PushPlatform, string> = { APNS: 'APNS', APNS_SANDBOX: 'APNS_SANDBOX', FCM: 'GCM' };

/**
 * SNS platform applications, which CloudFormation has no resource type for: a custom resource whose
 * function reads the credentials from Secrets Manager and hands them to SNS (never into the template,
 * the event or a log). Platforms without a secret get no application; their pushes are recorded as
 * undeliverable.
 */
export class PushPlatforms extends Construct {
  readonly applicationArns: Partial<Record<PushPlatform, string>> = {};
  readonly provider?: Provider;
  readonly handler?: LatchkeyFunction;

  constructor(scope: Construct, id: string, props: PushPlatformSecrets & { logRetention: RetentionDays }) {
    super(scope, id);
    const wanted = (
      [
        ['APNS', props.apnsSecretArn],
        ['APNS_SANDBOX', props.apnsSandboxSecretArn],
        ['FCM', props.fcmSecretArn],
      ] as Array<[PushPlatform, string | undefined]>
    ).filter((entry): entry is [PushPlatform, string] => Boolean(entry[1]));
    if (wanted.length === 0) return;

    this.handler = new LatchkeyFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../../functions/jobs/push-platform.ts', import.meta.url)),
      description: 'Latchkey: SNS platform applications from Secrets Manager',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    this.handler.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'sns:CreatePlatformApplication',
          'sns:SetPlatformApplicationAttributes',
          'sns:DeletePlatformApplication',
        ],
        resources: [Stack.of(this).formatArn({ service: 'sns', resource: 'app', resourceName: '*' })],
      }),
    );
    this.provider = new Provider(this, 'Provider', { onEventHandler: this.handler });

    for (const [platform, secretArn] of wanted) {
      Secret.fromSecretCompleteArn(this, `${platform}Secret`, secretArn).grantRead(this.handler);
      const application = new CustomResource(this, platform, {
        serviceToken: this.provider.serviceToken,
        resourceType: 'Custom::SnsPlatformApplication',
        properties: {
          Name: `${Names.uniqueResourceName(this, { maxLength: 200 })}-${platform}`,
          Platform: SNS_PLATFORM[platform],
          SecretArn: secretArn,
        },
      });
      this.applicationArns[platform] = application.getAttString('Arn');
    }
  }
}
