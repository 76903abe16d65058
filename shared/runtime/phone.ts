import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../adapters/dynamodb/inbox-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { sharedPhoneNumbers } from '../adapters/pinpoint/shared-phone-numbers';
import { makeTeamAccess } from '../adapters/team-access';
import type { ExternalAdapters } from './external-adapters';
import { httpRuntime } from './http';

/** The phone routes: the HTTP runtime plus End User Messaging (AWS's, or the simulator the local runtime passes). */
export function phoneRuntime(adapters?: Pick<ExternalAdapters, 'phoneNumbers'>) {
  const { doc, tableName, deps: runtime, options } = httpRuntime();
  const deps = {
    ...runtime,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    phoneNumbers: adapters?.phoneNumbers ?? sharedPhoneNumbers(),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    // Owners and collaborators through teams are owners and collaborators here too.
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
  };
  return { deps, options };
}
