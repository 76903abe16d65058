import {
  createShareLink,
  describeShareLink,
  listShareLinks,
  openShareLink,
  revokeShareLink,
  sendShareCode,
} from '../../shared/domain/share-links/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import type { ConfirmationRequest } from '../../shared/http/middleware';
import { shareLinksRoutes } from '../../shared/http/routes/share-links';
import { accessMemo } from '../../shared/http/secrets-access';
import { toShareLinkView } from '../../shared/http/share-link-views';

const sourceIp = (event: { requestContext?: { http?: { sourceIp?: string } } }) =>
  event.requestContext?.http?.sourceIp ?? 'unknown';

export const handler = createLazyGroupHandler(
  'sharelinks',
  shareLinksRoutes,
  ({ shareDeps: deps, shareableContentWith }) => ({
    createShareLink: async ({ event, caller, body }) => {
      // The ownership check of the confirmation and the content read share one access resolution.
      const scoped = { ...deps, shareableContent: shareableContentWith(accessMemo(event)) };
      const { link, url } = await createShareLink(
        caller,
        { ...body, oneTime: body.oneTime ?? false },
        scoped,
      );
      return { link: { id: link.id, url, expiresAt: link.expiresAt } };
    },
    listShareLinks: async ({ caller, query }) => {
      const page = await listShareLinks(caller, { limit: query.limit ?? 25, cursor: query.cursor }, deps);
      return {
        items: page.items.map(({ link, views }) => toShareLinkView(link, views, deps.clock.now())),
        nextCursor: page.nextCursor,
      };
    },
    revokeShareLink: async ({ caller, params }) => {
      await revokeShareLink(caller, params.id, deps);
      return { deleted: true as const };
    },
    describeShareLink: async ({ params }) => ({ link: await describeShareLink(params.id, deps) }),
    sendShareLinkCode: async ({ params, event }) => ({
      verification: await sendShareCode(params.id, sourceIp(event), deps),
    }),
    openShareLink: async ({ params, body, event }) =>
      openShareLink(
        params.id,
        { code: body.code, ip: sourceIp(event), userAgent: event.headers?.['user-agent'] ?? '' },
        deps,
      ),
  }),
  async () => {
    const runtime = (await import('../../shared/runtime/share-links')).shareLinksRuntime();
    const { options, requireShareOwner } = runtime;
    return {
      ...runtime,
      options: {
        ...options,
        // Ownership first: nobody is pushed a challenge for an object they could not share anyway.
        confirm: async (request: ConfirmationRequest) => {
          const body = request.body as { resource: { type: 'account' | 'secret'; id: string } };
          await requireShareOwner(request.caller, body.resource, accessMemo(request.event));
          await options.confirm?.(request);
        },
      },
    };
  },
);
