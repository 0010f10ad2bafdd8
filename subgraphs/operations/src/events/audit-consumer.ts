import { AuditRecorded, eventConsumer, on, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { AuditLog } from '../domain/audit-log';

/**
 * Reads audit.events (group `operations.audit`) into the audit log, each entry once however
 * often Kafka delivers it. A group of its own: the audit log never waits behind the figures.
 */
export function auditConsumer(bus: EventBus, auditLog: AuditLog, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'audit-consumer' });
  return eventConsumer({
    group: 'operations.audit',
    bus,
    logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    // A new group starts at the oldest retained event: the log is rebuilt from the topic.
    fromBeginning: true,
    handlers: [
      on(AuditRecorded, async (event) => {
        const kept = await auditLog.record(event.id, event.data);
        if (!kept) log.debug({ eventId: event.id }, 'An AuditRecorded event was delivered again; it was kept before.');
      }),
    ],
  });
}
