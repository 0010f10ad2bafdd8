import { z } from 'zod';
import { BadUserInputError } from './errors';

/**
 * Parses a mutation's input with `schema`; every problem is reported in one
 * BAD_USER_INPUT error (`extensions.problems`), before anything is written.
 */
export function validateInput<S extends z.ZodType>(schema: S, input: unknown, what = 'input'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    field: [what, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new BadUserInputError(`Invalid ${what}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
}

/** Trimmed text of 1..max characters. */
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const geoPointInput = z.object({
  lat: z.number().min(-90, 'latitude must be within [-90, 90]').max(90, 'latitude must be within [-90, 90]'),
  lng: z.number().min(-180, 'longitude must be within [-180, 180]').max(180, 'longitude must be within [-180, 180]'),
});

export const entityId = z.string().trim().min(1).max(64);
