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

/**
 * Characters no client text needs, refused wherever a string comes in:
 * - lone surrogates: MySQL's utf8mb4 stores them as U+FFFD, so two different strings
 *   (two idempotency keys) would become one;
 * - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make a
 *   shown name or address read differently from what is stored ("Trojan Source");
 * - zero-width space, joiners and word joiner, byte-order mark (U+200B–U+200D, U+2060,
 *   U+FEFF): invisible, so two names that look the same differ;
 * - C0 and C1 control characters and DEL, NUL included; tab and line feed only in
 *   multi-line text.
 * With the `u` flag a surrogate range matches only unpaired halves (a pair is one code point).
 */
const loneSurrogate = /[\uD800-\uDFFF]/u;
const invisibleOrBidi = /[\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlExceptTabAndNewline = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const anyControl = /[\u0000-\u001F\u007F-\u009F]/u;

/** Why `value` is not safe text, or null when it is. */
export function unsafeTextReason(value: string, multiline = false): string | null {
  if (loneSurrogate.test(value)) return 'must not contain unpaired surrogates';
  if ((multiline ? controlExceptTabAndNewline : anyControl).test(value)) {
    return multiline ? 'must not contain control characters other than tab and line feed' : 'must not contain control characters';
  }
  if (invisibleOrBidi.test(value)) return 'must not contain zero-width or bidi control characters';
  return null;
}

function refuseUnsafe(multiline: boolean) {
  return (value: string, ctx: z.RefinementCtx) => {
    const reason = unsafeTextReason(value, multiline);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  };
}

/** Any string from outside (ids, keys, provider fields): safe characters, otherwise as sent. */
export const safeString = () => z.string().superRefine(refuseUnsafe(false));

/**
 * Single-line text people read (names, addresses): trimmed, safe characters, NFC-normalised
 * (so "é" typed two ways is one name), then 1..max characters.
 */
export const text = (max: number) =>
  z
    .string()
    .superRefine(refuseUnsafe(false))
    .transform((value) => value.trim().normalize('NFC'))
    .pipe(z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`));

/**
 * Optional free text (descriptions, reasons): like `text`, but empty or missing is null, and
 * with `multiline` tab and line feed are kept (CR LF and CR become LF first).
 */
export const optionalText = (max: number, { multiline = false }: { multiline?: boolean } = {}) =>
  z
    .string()
    .transform((value) => (multiline ? value.replace(/\r\n?/g, '\n') : value))
    .superRefine(refuseUnsafe(multiline))
    .transform((value) => value.trim().normalize('NFC'))
    .pipe(z.string().max(max, `must be at most ${max} characters`))
    .nullish()
    .transform((value) => (value ? value : null));

/**
 * An opaque key the client chooses (idempotency keys): safe characters and trimmed, but never
 * normalised, since two keys that normalise alike are still two keys.
 */
export const opaqueKey = (max: number) =>
  z
    .string()
    .superRefine(refuseUnsafe(false))
    .transform((value) => value.trim())
    .pipe(z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`));

export const geoPointInput = z.object({
  lat: z.number().min(-90, 'latitude must be within [-90, 90]').max(90, 'latitude must be within [-90, 90]'),
  lng: z.number().min(-180, 'longitude must be within [-180, 180]').max(180, 'longitude must be within [-180, 180]'),
});

export const entityId = safeString().trim().min(1).max(64);
