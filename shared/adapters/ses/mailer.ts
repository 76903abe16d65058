import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ENV, optionalEnv, requireEnv } from '../../config/env';
import { tracer } from '../../observability';
import type { Mailer, OutgoingEmail } from '../../ports';

export interface MailerConfig {
  from: string;
}

/** SES v2 behind the Mailer port. Locally the client's endpoint is aws-ses-v2-local. */
export function makeSesMailer(client: SESv2Client, config: MailerConfig): Mailer {
  return {
    async send(email: OutgoingEmail) {
      const output = await client.send(
        new SendEmailCommand({
          FromEmailAddress: config.from,
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
      );
      return { messageId: output.MessageId ?? '' };
    },
  };
}

let shared: Mailer | undefined;

export function sharedMailer(): Mailer {
  if (!shared) {
    const endpoint = optionalEnv(ENV.sesEndpoint);
    const client = tracer.captureAWSv3Client(new SESv2Client(endpoint ? { endpoint } : {}));
    shared = makeSesMailer(client, { from: requireEnv(ENV.emailFrom) });
  }
  return shared;
}
