import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Time-ordered UUIDv7: no global counter (shard-friendly, 分库分表 later), sortable by
 * creation time, unguessable enough that ids are not an enumeration vector.
 */
export function newId(): string {
  return uuidv7();
}

/**
 * The same id every time for the same `scope` and `parts`, in the shape of `newId()` (a
 * UUID, version 8 of RFC 9562): the first 128 bits of sha256 over the scope and the parts,
 * length-prefixed so that no two lists of parts share an input. A hash spreads evenly over
 * shards; it is not time-ordered. For ids a retry must find again, e.g. the order (and stock
 * hold) of one customer's idempotency key after a crash between the hold and the order row.
 */
export function derivedId(scope: string, ...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of [scope, ...parts]) hash.update(`${Buffer.byteLength(part)}:${part};`);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: string): boolean {
  return uuidPattern.test(value);
}
