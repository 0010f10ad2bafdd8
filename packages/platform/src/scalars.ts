import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new BadUserInputError('Not a valid ISO-8601 date-time.');
  return date;
}

/** ISO-8601 UTC instants on the wire; Date objects inside resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant in UTC.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  // Plain errors here: graphql-js then names the expected type, the literal and where it is.
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime literals are strings.');
    const date = new Date(ast.value);
    if (Number.isNaN(date.getTime())) throw new TypeError('Not a valid ISO-8601 date-time.');
    return date;
  },
});
