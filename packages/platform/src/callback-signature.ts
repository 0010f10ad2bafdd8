import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The provider callback's signature (shared/contract/README.md):
 * `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The sandbox provider signs with it and the webhook verifies with it, so both sides
 * agree byte for byte.
 */
export const SIGNATURE_HEADER = 'payment-signature';

/** 300 s: a callback signed further from now than this is refused (replay window). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value for `rawBody`, signed at `now`. */
export function signCallback(secret: string, rawBody: Buffer | string, now: Date = new Date()): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

/** `t=<digits>` once and one or more `v1=<64 hex>` (several while a secret is being rotated). */
function parseHeader(header: string): ParsedHeader | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return null;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(value.toLowerCase());
    }
    // Other schemes (v0, future versions) are ignored, as providers' own libraries do.
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  // timingSafeEqual throws on different lengths; the length itself is no secret.
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks `header` against `rawBody` (the exact bytes received). The comparison is constant
 * time; the timestamp must be within SIGNATURE_TOLERANCE_SECONDS of `now`, either side.
 */
export function verifyCallback(
  secret: string,
  header: string | undefined,
  rawBody: Buffer,
  now: Date = new Date(),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const expected = hmacHex(secret, parsed.timestamp, rawBody);
  if (!parsed.signatures.some((signature) => sameHex(signature, expected))) return { ok: false, reason: 'mismatch' };
  if (Math.abs(now.getTime() / 1000 - parsed.timestamp) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: parsed.timestamp };
}
