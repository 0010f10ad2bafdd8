import { and, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { applyOnce, newestFirst, type AuditAction, type AuditTargetType, type Database, type Keyset } from '@waimai/platform';
import { auditLog, type AuditEntryRow, type OperationsSchema } from './schema';

export interface AuditLogFilter {
  actorId?: string;
  actions?: readonly AuditAction[];
  targetType?: AuditTargetType;
  targetId?: string;
  from?: Date;
  to?: Date;
}

/** The audit log: SQL only, plain objects out. */
export function createAuditStore(db: Database<OperationsSchema>) {
  return {
    /** Keeps one entry, once per event (the entry's id is the event's id, so a replay adds nothing either way). */
    async record(consumer: string, entry: AuditEntryRow): Promise<boolean> {
      const result = await applyOnce(db, consumer, entry.id, async (tx) => {
        await tx.insert(auditLog).values(entry).onDuplicateKeyUpdate({ set: { id: entry.id } });
      });
      return result.done;
    },

    /**
     * A newest-first page (the action's time, then the entry's id) of the entries matching
     * every given filter, after `after`. Each filter has an index led by its column
     * (audit_log_actor_at, audit_log_target_at, audit_log_target_type_at, audit_log_action_at; audit_log_at for none).
     */
    async page(filter: AuditLogFilter, after: Keyset | null, limit: number): Promise<AuditEntryRow[]> {
      const conditions: Array<SQL | undefined> = [
        filter.actorId === undefined ? undefined : eq(auditLog.actorId, filter.actorId),
        filter.actions === undefined ? undefined : inArray(auditLog.action, [...filter.actions]),
        filter.targetType === undefined ? undefined : eq(auditLog.targetType, filter.targetType),
        filter.targetId === undefined ? undefined : eq(auditLog.targetId, filter.targetId),
        filter.from === undefined ? undefined : gte(auditLog.at, filter.from),
        filter.to === undefined ? undefined : lt(auditLog.at, filter.to),
      ];
      const newest = newestFirst({ createdAt: auditLog.at, id: auditLog.id }, after);
      return db
        .select()
        .from(auditLog)
        .where(and(...conditions, newest.after))
        .orderBy(...newest.orderBy)
        .limit(limit);
    },
  };
}
export type AuditStore = ReturnType<typeof createAuditStore>;
