import type { AuditEntryResolvers } from '../generated/graphql';

export const AuditEntry: AuditEntryResolvers = {
  // Stored as JSON text (a list and an object of the event).
  actorRoles: (entry) => JSON.parse(entry.actorRoles) as string[],
};
