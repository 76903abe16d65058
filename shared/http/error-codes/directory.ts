import { AccountNotOrphanedError } from '../../domain/directory/continuity';
import { LastWorkspaceOwnerError, RoleChangeConflictError } from '../../domain/directory/roles';
import type { ErrorMapping } from './types';

export const DIRECTORY_ERRORS: readonly ErrorMapping[] = [
  [LastWorkspaceOwnerError, 409, 'last_owner'],
  [RoleChangeConflictError, 409, 'conflict'],
  [AccountNotOrphanedError, 409, 'account_not_orphaned'],
];
