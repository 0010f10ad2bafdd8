import { auditActions, auditTargetTypes, safeString, validateInput, z, type AuditRecordedData, type Keyset } from '@waimai/platform';
import type { AuditLogFilter, AuditStore } from '../db/audit-store';
import type { AuditEntryRow } from '../db/schema';

/** The consumer name in processed_events; part of the deployed state, never renamed. */
export const AUDIT_LOG_CONSUMER = 'operations.audit-log';

const id = safeString().trim().min(1).max(128);
const auditLogFilter = z
  .object({
    actorId: id.optional(),
    actions: z.array(z.enum(auditActions)).min(1).optional(),
    targetType: z.enum(auditTargetTypes).optional(),
    targetId: id.optional(),
    from: z.date().optional(),
    to: z.date().optional(),
  })
  .refine((filter) => !filter.from || !filter.to || filter.from.getTime() < filter.to.getTime(), { path: ['to'], message: 'must be after from' });

/** The filter as GraphQL gives it (absent and null alike mean "any"). */
export type AuditLogFilterInput = { [K in keyof AuditLogFilter]?: AuditLogFilter[K] | null };

/** The audit log's use cases: keep what the services recorded, and read it back. */
export function createAuditLog(store: AuditStore) {
  return {
    /** Keeps one AuditRecorded event; false when it was kept before (a redelivery or a replay). */
    record(eventId: string, data: AuditRecordedData, recordedAt = new Date()): Promise<boolean> {
      return store.record(AUDIT_LOG_CONSUMER, {
        id: eventId,
        service: data.service,
        actorId: data.actorId,
        actorRoles: JSON.stringify(data.actorRoles),
        action: data.action,
        targetType: data.targetType,
        targetId: data.targetId,
        reason: data.reason,
        before: data.before,
        after: data.after,
        details: JSON.stringify(data.details),
        at: new Date(data.at),
        recordedAt,
      });
    },

    /** `limit` entries matching the filter after `after`, newest first; BAD_USER_INPUT for a filter that cannot match sensibly. */
    page(filter: AuditLogFilterInput | null | undefined, after: Keyset | null, limit: number): Promise<AuditEntryRow[]> {
      const present = Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value !== null && value !== undefined));
      return store.page(validateInput(auditLogFilter, present, 'filter'), after, limit);
    },
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
