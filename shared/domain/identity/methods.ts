/**
 * The confirmation methods, apart from the challenge model: the HTTP schemas (which the web app imports)
 * need them, and the model reaches `node:crypto`.
 */
export const CONFIRMATION_METHODS = ['push', 'email_magic_link'] as const;
export type ConfirmationMethod = (typeof CONFIRMATION_METHODS)[number];
