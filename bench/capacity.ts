import { round } from './stats';

/**
 * The per-flow counts docs/capacity.md prices: API calls, DynamoDB requests, handler time and the
 * messages each flow sends, taken from this run's figures (request counts are exact; durations are
 * this machine's p50 through the local gateway, an upper bound for Lambda's billed duration).
 * Messages per flow are fixed by the code paths and named here, so a change to a flow shows up.
 */
export interface FlowCounts {
  flow: string;
  'API calls': number;
  'DynamoDB requests': number;
  'handler p50 ms': number;
  emails: number;
  'SMS in': number;
  'queue messages': number;
  pushes: number;
}

type Row = Record<string, unknown>;
/** The inbound-SMS bench's column for the function's own calls (bench/inbound-sms.ts). */
export const INBOUND_REQUESTS = 'API calls by the function (all DynamoDB)';
const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const p50 = (row: Row | undefined) => num((row?.ms as Row | undefined)?.p50 ?? row?.['p50 ms']);

export function capacityInputs(results: Record<string, unknown>): FlowCounts[] {
  const device = (results.deviceFlow as Row[] | undefined) ?? [];
  const [register, verify] = device;
  const inbound = (results.inboundSms as Row[] | undefined) ?? [];
  const identity = ((results.identity as { rows?: Row[] } | undefined)?.rows ?? []) as Row[];
  const fanout = (results.pushFanout as Row | undefined) ?? {};
  const scim = ((results.scim as { rows?: Row[] } | undefined)?.rows ?? []) as Row[];
  const me = ((results.httpLatency as { routes?: Row[] } | undefined)?.routes ?? [])[1];
  const endpointsPerUser = num(fanout['endpoints per recipient']) || 3;
  return [
    {
      flow: 'session start (GET /v1/me)',
      'API calls': 1,
      'DynamoDB requests': num(me?.dynamoRequestsPerCall),
      'handler p50 ms': round(p50(me)),
      emails: 0,
      'SMS in': 0,
      'queue messages': 0,
      pushes: 0,
    },
    {
      flow: 'new device by email code (register + verify)',
      'API calls': 2,
      'DynamoDB requests': num(register?.dynamoRequestsPerCall) + num(verify?.dynamoRequestsPerCall),
      'handler p50 ms': round(p50(register) + p50(verify)),
      emails: 1,
      'SMS in': 0,
      'queue messages': 0,
      pushes: 0,
    },
    {
      flow: 'inbound SMS code to a 3-member account',
      'API calls': 0,
      // The fan-out's share for one small batch: the 3 members are one job (up to 10 recipients per
      // job), so one read of the push devices, one claim and one completion transaction, whatever the
      // number of endpoints (the bench's per-endpoint average is amortized over full batches and would
      // undercount a batch this small).
      'DynamoDB requests': num(inbound[0]?.[INBOUND_REQUESTS]) + 1 + 1 + 1,
      'handler p50 ms': round(p50(inbound[0])),
      emails: 0,
      'SMS in': 1,
      // The SNS -> SQS delivery, then one push job per recipient batch through the outbox relay.
      'queue messages': 2,
      pushes: 3 * endpointsPerUser,
    },
    {
      flow: 'identity confirmation (403, push approve, retry)',
      'API calls': 3,
      'DynamoDB requests': 3 * num(identity[0]?.['DynamoDB requests']),
      'handler p50 ms': round(p50(identity[2]) + 2 * p50(identity[0])),
      emails: 0,
      'SMS in': 0,
      'queue messages': 1,
      pushes: endpointsPerUser,
    },
    {
      flow: 'SCIM deprovision (PATCH active:false)',
      'API calls': 1,
      'DynamoDB requests': num(scim[1]?.['DynamoDB requests per call']),
      'handler p50 ms': round(p50(scim[1])),
      emails: 0,
      'SMS in': 0,
      'queue messages': 1,
      pushes: 0,
    },
  ];
}
