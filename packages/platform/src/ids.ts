import { v7 as uuidv7 } from 'uuid';

/**
 * Time-ordered UUIDv7: no global counter (shard-friendly, 分库分表 later), sortable by
 * creation time, unguessable enough that ids are not an enumeration vector.
 */
export function newId(): string {
  return uuidv7();
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: string): boolean {
  return uuidPattern.test(value);
}
