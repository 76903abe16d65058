import { JwksUrlRefusedError } from '../../domain/directory/settings';
import {
  InvalidSubjectError,
  JwksUnavailableError,
  LogoutTokenError,
  UnsupportedSubjectFormatError,
} from '../../domain/logout/errors';
import type { ErrorMapping } from './types';

export const LOGOUT_ERRORS: readonly ErrorMapping[] = [
  [LogoutTokenError, 401, 'invalid_token'],
  [UnsupportedSubjectFormatError, 400, 'unsupported_subject_format'],
  [InvalidSubjectError, 400, 'invalid_subject'],
  [JwksUnavailableError, 503, 'jwks_unavailable'],
  [JwksUrlRefusedError, 422, 'jwks_url_refused'],
];
