import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../../domain/ports';
import { count, METRICS } from '../../observability/metrics';
import { type CallBudget, deadline } from '../aws/call-budget';

export interface MailerConfig {
  from: string;
  /** The whole call's deadline; the client holds the attempt count and per-attempt timeouts. */
  budget: CallBudget;
  /** The SES configuration set every send names: its event destination reports bounces and complaints. */
  configurationSet?: string;
}

/** SES v2 `SendEmail` through the official client. Integration tests run it against aws-ses-v2-local. */
export function makeSesMailer(client: SESv2Client, config: MailerConfig): Mailer {
  const { budget } = config;
  return {
    async send(email: OutgoingEmail) {
      const output = await client
        .send(
          new SendEmailCommand({
            FromEmailAddress: config.from,
            ...(config.configurationSet ? { ConfigurationSetName: config.configurationSet } : {}),
            Destination: { ToAddresses: [email.to] },
            Content: {
              Simple: {
                Subject: { Data: email.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: email.text, Charset: 'UTF-8' },
                  ...(email.html ? { Html: { Data: email.html, Charset: 'UTF-8' } } : {}),
                },
              },
            },
          }),
          deadline(budget),
        )
        .catch((error: unknown) => {
          count(METRICS.emailsFailed);
          throw error;
        });
      count(METRICS.emailsSent);
      return { messageId: output.MessageId ?? '' };
    },
  };
}
