import {
  ShareCodeInvalidError,
  ShareCodeLimitError,
  ShareCodeTooSoonError,
  ShareLinkInvalidError,
} from '../../domain/share-links/errors';
import type { ErrorMapping } from './types';

export const SHARE_LINK_ERRORS: readonly ErrorMapping[] = [
  [ShareLinkInvalidError, 410, 'link_invalid'],
  [ShareCodeInvalidError, 400, 'invalid_code'],
  [ShareCodeTooSoonError, 429, 'share_code_too_soon'],
  [ShareCodeLimitError, 429, 'share_code_limit'],
];
