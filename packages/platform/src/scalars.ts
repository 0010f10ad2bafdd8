import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

/**
 * An ISO-8601 date-time with its offset (`Z` or `±hh:mm`), as clients are told to send:
 * `new Date()` alone would also take "0", "1" or "May 5", each read in the server's time zone.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant of an ISO-8601 string, or null when it is not one. */
function isoInstant(value: string): Date | null {
  if (!ISO_INSTANT.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Inputs: ISO-8601 strings only. Outputs: Dates (or what a store hands over: a string or epoch ms). */
function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new BadUserInputError('Not a valid ISO-8601 date-time.');
  return date;
}

/** ISO-8601 UTC instants on the wire; Date objects inside resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant in UTC.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? isoInstant(value) : null;
    if (!date) throw new BadUserInputError('Not a valid ISO-8601 date-time with its offset, e.g. 2026-11-23T08:30:00.000Z.');
    return date;
  },
  // Plain errors here: graphql-js then names the expected type, the literal and where it is.
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime literals are strings.');
    const date = isoInstant(ast.value);
    if (!date) throw new TypeError('Not a valid ISO-8601 date-time with its offset, e.g. 2026-11-23T08:30:00.000Z.');
    return date;
  },
});
