import type { DomainError } from '../../domain/errors';

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/** A domain error class, its HTTP status and its stable `error` code. */
export type ErrorMapping = readonly [DomainErrorClass, number, string];
