import { SESv2Client } from '@aws-sdk/client-sesv2';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import { freePort } from '../../local/ports';
import { type SesLocal, startSesLocal } from '../../local/ses-local';
import { CALL_BUDGETS, clientOptions } from '../../shared/adapters/aws/call-budget';
import { makeSesMailer } from '../../shared/adapters/ses/mailer';

/** aws-ses-v2-local on a free port, and the production SES mailer pointed at it. */
export async function localSesMailer(): Promise<{
  ses: SesLocal;
  sesMailer: ReturnType<typeof makeSesMailer>;
}> {
  const port = await freePort();
  const ses = await startSesLocal(port);
  const client = new SESv2Client({
    ...clientOptions(CALL_BUDGETS.worker, { region: LOCAL_AWS.region, endpoint: `http://127.0.0.1:${port}` }),
    credentials: LOCAL_AWS.credentials,
  });
  return {
    ses,
    sesMailer: makeSesMailer(client, { from: 'no-reply@latchkey.local', budget: CALL_BUDGETS.worker }),
  };
}
