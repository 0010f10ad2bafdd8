import { defineService, runService } from '@waimai/platform';
import { loadPaymentsConfig, paymentsConfigOrExit } from './env';
import { migratePayments, startPaymentsSubgraph } from './app';

/** The payments subgraph's entry points: this process's main() and testkit's stack start it through them. */
export const paymentsService = defineService({ name: 'payments', loadConfig: loadPaymentsConfig, migrate: migratePayments, start: startPaymentsSubgraph });

if (require.main === module) runService(paymentsService, paymentsConfigOrExit);
