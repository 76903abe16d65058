import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  makePlatformApplications,
  type PlatformApplicationSpec,
} from '../../shared/adapters/sns/platform-applications';
import { logger } from '../../shared/observability';
import { instrument } from '../../shared/observability/telemetry';

const applications = makePlatformApplications(new SNSClient({}), new SecretsManagerClient({}));

/** Custom resource (Provider framework onEvent): one SNS platform application per resource. */
export const handler = instrument(async (event: CloudFormationCustomResourceEvent) => {
  const properties = event.ResourceProperties as unknown as {
    Name: string;
    Platform: PlatformApplicationSpec['platform'];
    SecretArn: string;
  };
  const spec = { name: properties.Name, platform: properties.Platform, secretArn: properties.SecretArn };
  logger.info('platform application', {
    requestType: event.RequestType,
    platform: spec.platform,
    name: spec.name,
  });
  if (event.RequestType === 'Delete') {
    if (event.PhysicalResourceId.startsWith('arn:')) await applications.remove(event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  if (event.RequestType === 'Update' && event.PhysicalResourceId.startsWith('arn:')) {
    await applications.update(event.PhysicalResourceId, spec);
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Arn: event.PhysicalResourceId } };
  }
  const arn = await applications.create(spec);
  return { PhysicalResourceId: arn, Data: { Arn: arn } };
});
