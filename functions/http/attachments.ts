import {
  createAttachment,
  deleteAttachment,
  downloadAttachment,
  listAttachments,
  purgeSecret,
} from '../../shared/domain/secrets/attachments';
import { toAttachmentView } from '../../shared/http/attachment-schemas';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { secretsRoutes } from '../../shared/http/routes/secrets';
import { accessFirst, forRequest } from '../../shared/http/secrets-access';

const deleted = { deleted: true as const };

/**
 * A secret's files (presigned upload and download, removal) and purging a secret with its files: the
 * routes that need the attachments bucket, in a function of their own (docs/secrets.md).
 */
export const handler = createLazyGroupHandler(
  'attachments',
  secretsRoutes,
  ({ secretDeps }) => ({
    purgeSecret: async ({ event, caller, params }) => {
      await purgeSecret(caller, params.id, forRequest(secretDeps, event));
      return { purged: true as const };
    },
    listAttachments: async ({ event, caller, params }) => ({
      items: (await listAttachments(caller, params.id, forRequest(secretDeps, event))).map(toAttachmentView),
      nextCursor: null,
    }),
    createAttachment: async ({ event, caller, params, body }) => {
      const { attachment, upload } = await createAttachment(
        caller,
        params.id,
        body,
        forRequest(secretDeps, event),
      );
      return { attachment: toAttachmentView(attachment), upload };
    },
    getAttachment: async ({ event, caller, params }) => {
      const { attachment, downloadUrl } = await downloadAttachment(
        caller,
        params.id,
        params.attachmentId,
        forRequest(secretDeps, event),
      );
      return { attachment: toAttachmentView(attachment), downloadUrl };
    },
    deleteAttachment: async ({ event, caller, params }) => {
      await deleteAttachment(caller, params.id, params.attachmentId, forRequest(secretDeps, event));
      return deleted;
    },
  }),
  async () => {
    const runtime = (await import('../../shared/runtime/attachments')).attachmentsRuntime();
    const { secretDeps: deps, options } = runtime;
    return { ...runtime, options: { ...options, confirm: accessFirst(options.confirm, deps) } };
  },
);
