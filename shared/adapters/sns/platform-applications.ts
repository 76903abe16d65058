import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  NotFoundException,
  SetPlatformApplicationAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';

export interface PlatformApplicationSpec {
  name: string;
  /** SNS platform: APNS, APNS_SANDBOX or GCM (FCM). */
  platform: 'APNS' | 'APNS_SANDBOX' | 'GCM';
  secretArn: string;
}

/** The SNS attributes for a platform, from its secret (APNs token auth, or an FCM v1 service account). */
function attributesFrom(
  platform: PlatformApplicationSpec['platform'],
  secret: Record<string, unknown>,
): Record<string, string> {
  const field = (name: string) => {
    const value = secret[name];
    if (typeof value !== 'string' || value === '') throw new Error(`the push secret lacks "${name}"`);
    return value;
  };
  if (platform === 'GCM') return { PlatformCredential: field('serviceAccountJson') };
  return {
    PlatformCredential: field('signingKey'),
    PlatformPrincipal: field('keyId'),
    ApplePlatformTeamID: field('teamId'),
    ApplePlatformBundleID: field('bundleId'),
  };
}

/**
 * Creates, updates and deletes SNS platform applications from credentials kept in Secrets Manager,
 * for the CloudFormation custom resource (CloudFormation has no resource type for them). The
 * credentials go from the secret to SNS and nowhere else: never into a template, event or log.
 */
export function makePlatformApplications(sns: SNSClient, secrets: SecretsManagerClient) {
  async function attributes(spec: PlatformApplicationSpec) {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: spec.secretArn }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(SecretString ?? '');
    } catch {
      throw new Error('the push secret is not a JSON object');
    }
    if (!parsed || typeof parsed !== 'object') throw new Error('the push secret is not a JSON object');
    return attributesFrom(spec.platform, parsed as Record<string, unknown>);
  }
  return {
    async create(spec: PlatformApplicationSpec): Promise<string> {
      const { PlatformApplicationArn } = await sns.send(
        new CreatePlatformApplicationCommand({
          Name: spec.name,
          Platform: spec.platform,
          Attributes: await attributes(spec),
        }),
      );
      if (!PlatformApplicationArn) throw new Error('SNS returned no platform application ARN');
      return PlatformApplicationArn;
    },
    async update(arn: string, spec: PlatformApplicationSpec): Promise<void> {
      await sns.send(
        new SetPlatformApplicationAttributesCommand({
          PlatformApplicationArn: arn,
          Attributes: await attributes(spec),
        }),
      );
    },
    async remove(arn: string): Promise<void> {
      try {
        await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: arn }));
      } catch (error) {
        if (!(error instanceof NotFoundException)) throw error;
      }
    },
  };
}
