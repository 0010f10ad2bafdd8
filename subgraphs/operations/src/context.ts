import type { Caller } from '@waimai/platform';
import type { AuditLog } from './domain/audit-log';
import type { Figures } from './domain/figures';

export interface Context {
  caller: Caller;
  auditLog: AuditLog;
  figures: Figures;
}

/** Per request: the caller and the use cases (nothing here is loaded by id, so no DataLoaders). */
export function createContext(caller: Caller, auditLog: AuditLog, figures: Figures): Context {
  return { caller, auditLog, figures };
}
