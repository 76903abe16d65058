import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../../shared/adapters/dynamodb/inbox-repository';
import { makeShareLinkRepository } from '../../shared/adapters/dynamodb/share-link-repository';
import { sharedPhoneNumbers } from '../../shared/adapters/pinpoint/shared-phone-numbers';
import { makeTeamAccess } from '../../shared/adapters/team-access';
import { deleteAccount, provisionPhone, releasePhone } from '../../shared/domain/accounts/use-cases';
import { createGroupHandler } from '../../shared/http/handler';
import { ownerFirst } from '../../shared/http/owner-first';
import { phoneRoutes } from '../../shared/http/routes/phone';
import { httpRuntime } from '../../shared/http/runtime';
import { type ExternalAdapters, lazyHandler } from '../../shared/runtime/external-adapters';

/** The routes that need End User Messaging (its SDK client stays out of the other bundles). */
export function createHandler(adapters: Pick<ExternalAdapters, 'phoneNumbers'>) {
  const { doc, tableName, deps: runtime, options } = httpRuntime();
  const deps = {
    ...runtime,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    phoneNumbers: adapters.phoneNumbers,
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    // Owners and collaborators through teams are owners and collaborators here too.
    teamAccess: makeTeamAccess(doc, tableName).teamAccess,
  };
  return createGroupHandler(
    'phone',
    phoneRoutes,
    {
      provisionPhone: async ({ caller, params, body }) => ({
        phoneNumber: await provisionPhone(caller, params.id, body.type, deps),
      }),
      releasePhone: async ({ caller, params }) => {
        await releasePhone(caller, params.id, deps);
        return { deleted: true as const };
      },
      deleteAccount: async ({ caller, params }) => {
        await deleteAccount(caller, params.id, deps);
        return { deleted: true as const };
      },
    },
    { ...options, confirm: ownerFirst(options.confirm, deps) },
  );
}

export const handler = lazyHandler(() => createHandler({ phoneNumbers: sharedPhoneNumbers() }));
