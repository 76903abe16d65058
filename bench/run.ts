import './env';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { BUDGETS, benchBundles } from './bundles';
import { capacityInputs } from './capacity';
import { benchDeviceFlow, benchHttpLatency, type LatencyFigures } from './http-latency';
import { benchIdentity } from './identity';
import { benchInboundSms } from './inbound-sms';
import { withLocalStack } from './local-stack';
import { benchLoginGrants } from './logins';
import { benchMime } from './mime';
import { benchPushFanout } from './push-fanout';
import { benchRotation } from './rotation';
import { benchScim } from './scim';
import { benchSecrets } from './secrets';
import { round } from './stats';
import { benchWebBundle, benchWebLcp } from './web';

/**
 * `npm run bench`: prints a table and writes bench/results/latest.json. Figures are distributions and
 * ratios from this one run: the machines are shared and noisy, so absolute numbers only compare
 * within a run. Sections: bundles (size, cold module load), HTTP latency, then feature benchmarks.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `BENCH_ONLY=pushFanout,inboundSms npm run bench` runs only those sections (keys of latest.json). */
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const want = (section: string) => !only || only.includes(section);

const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  budgets: BUDGETS,
};

if (want('webBundle')) {
  console.log('\n== Web app: initial JavaScript of the production build (gzip -9) ==');
  const webBundle = await benchWebBundle();
  console.table(webBundle.files);
  console.log(
    `initial JS ${webBundle.initialJsGzipKB} KB gzip (budget ${webBundle.budgetKB} KB): ${webBundle.withinBudget ? 'within' : 'OVER'}`,
  );
  results.webBundle = webBundle;
}

if (want('bundles')) {
  console.log('\n== Bundles (synthesized CDK assets; module load = fresh node process, 15 samples) ==');
  const bundles = benchBundles(15);
  console.table(
    bundles.map((b) => ({
      function: b.group,
      'size KB': b.sizeKB,
      'entry KB': b.entryKB,
      'load p50 ms': round(b.loadMs.p50),
      'load p90 ms': round(b.loadMs.p90),
      'within budget':
        b.sizeKB <= BUDGETS.bundleKB && b.loadMs.p50 < BUDGETS.moduleLoadMedianMs ? 'yes' : 'NO',
    })),
  );
  results.bundles = bundles;
}

const latencyTable = (rows: LatencyFigures[], health: LatencyFigures | undefined) =>
  console.table(
    rows.map((l) => ({
      route: l.route,
      n: l.ms.n,
      'p50 ms': round(l.ms.p50),
      'p99 ms': round(l.ms.p99),
      'max ms': round(l.ms.max),
      'p50 / health': health ? round(l.ms.p50 / health.ms.p50) : '',
      'DynamoDB requests': l.dynamoRequestsPerCall ?? '',
    })),
  );

let health: LatencyFigures | undefined;
await withLocalStack(async (stack) => {
  if (want('httpLatency')) {
    console.log('\n== Warm HTTP latency through the local gateway (2,000 requests each, interleaved) ==');
    const latency = await benchHttpLatency(stack, 2000);
    [health] = latency;
    const me = latency[1];
    latencyTable(latency, health);
    if (health && me) {
      const ratio = { p50: round(me.ms.p50 / health.ms.p50), p99: round(me.ms.p99 / health.ms.p99) };
      console.log(`GET /v1/me vs GET /v1/health (database share): p50 x${ratio.p50}, p99 x${ratio.p99}`);
      results.httpLatency = { routes: latency, meOverHealth: ratio };
    }
  }
  if (want('deviceFlow')) {
    console.log('\n== Device onboarding by code (register + verify, 200 new users, first 10 dropped) ==');
    const devices = await benchDeviceFlow(stack, 200);
    latencyTable(devices, health);
    results.deviceFlow = devices;
  }
  if (want('pushFanout')) {
    console.log(
      '\n== Push fan-out: one notification, 1,000 recipients x 3 endpoints, SNS answering in 20 ms ==',
    );
    const fanout = await benchPushFanout(stack);
    console.table(fanout);
    results.pushFanout = fanout;
  }
  if (want('inboundSms')) {
    console.log('\n== Inbound SMS: SNS event to stored message and queued notification (3 members) ==');
    const inbound = await benchInboundSms(stack);
    console.table(inbound);
    results.inboundSms = inbound;
  }
  if (want('identity')) {
    console.log('\n== Identity confirmation: confirmed retry vs unconfirmed trusted route (1,000 each) ==');
    const identity = await benchIdentity(stack);
    console.table(identity.rows);
    console.log(`added by the check: p50 +${identity.addedMs.p50} ms, p99 +${identity.addedMs.p99} ms`);
    results.identity = identity;
  }
  if (want('webLcp')) {
    console.log('\n== Web app: largest contentful paint on the local stack (Chromium, 15 cold loads) ==');
    const lcp = await benchWebLcp(stack);
    console.log(
      `LCP ${lcp.page}: p50 ${round(lcp.ms.p50)} ms, p90 ${round(lcp.ms.p90)} ms (budget ${lcp.budgetMs} ms): ${lcp.withinBudget ? 'within' : 'OVER'}`,
    );
    results.webLcp = lcp;
  }
  if (want('scim')) {
    console.log('\n== SCIM with 10,000 users in the workspace (300 calls each) ==');
    const scim = await benchScim(stack);
    console.table(scim.rows);
    console.log(`seeding ${scim.users} users through the SCIM use case took ${scim.seedSeconds} s`);
    results.scim = scim;
  }
  if (want('secrets')) {
    console.log('\n== Secrets: a secret view vs its vault list (500 each); 100 concurrent one-time opens ==');
    const secrets = await benchSecrets(stack);
    console.table(secrets.rows);
    console.log(`view over list: p50 x${secrets.viewOverList.p50}, p99 x${secrets.viewOverList.p99}`);
    console.table(secrets.oneTimeOpens.statuses);
    results.secrets = secrets;
  }
  if (want('loginGrants')) {
    console.log('\n== Login grants: a grant vs reading the account (8 users x 24, interleaved) ==');
    const logins = await benchLoginGrants(stack);
    console.table(logins.rows);
    console.log(
      `grant over account read: p50 x${logins.grantOverRead.p50}, p99 x${logins.grantOverRead.p99}`,
    );
    results.loginGrants = logins;
  }
  if (want('rotation')) {
    console.log(
      '\n== Rotation: wall time on the demo app (20 rotations); the sweep (10,000 accounts, 1% due; 100,000 modelled) ==',
    );
    const rotation = await benchRotation(stack);
    console.table([rotation.wallTime]);
    const { nothingDue, onePercentDue, afterwards } = rotation.sweep;
    console.table(
      Object.entries({ nothingDue, onePercentDue, afterwards }).map(([when, figures]) => ({
        when,
        due: figures.due,
        started: figures.started,
        ms: figures.ms,
        requests: figures.requests,
        readUnits: figures.readUnits,
        writeUnits: figures.writeUnits,
      })),
    );
    console.log(`seeding ${rotation.sweep.accounts} scheduled accounts took ${rotation.sweep.seedSeconds} s`);
    console.log('modelled for 100,000 accounts, 1% due (the Query reads only due items):');
    console.table([rotation.modelFor100k]);
    results.rotation = rotation;
  }
});

if (want('mime')) {
  console.log('\n== Inbound email: a 5 MB MIME message parsed under a 256 MB heap ==');
  const mime = benchMime();
  console.table(mime);
  results.mime = mime;
}

// Feature benchmarks live next to their code and export a function returning their figures.
const features: Array<[string, string, string]> = [['otp', './otp.ts', 'benchOtp']];
for (const [name, file, exported] of features) {
  if (!want(name) || !existsSync(new URL(file, import.meta.url))) continue;
  const module = (await import(file)) as Record<string, () => Promise<Record<string, unknown>>>;
  const run = module[exported];
  if (!run) continue;
  console.log(`\n== ${name} ==`);
  const figures = await run();
  console.table(figures);
  results[name] = figures;
}

if (only) {
  // A partial run never overwrites the full results.
  console.log(`\n${JSON.stringify(results)}`);
} else {
  console.log('\n== Capacity model inputs per flow (docs/capacity.md prices these) ==');
  results.capacity = capacityInputs(results);
  console.table(results.capacity);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results/latest.json');
}
