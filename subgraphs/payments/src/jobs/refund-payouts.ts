import { repeatEvery, type Logger } from '@waimai/platform';
import type { PaymentService } from '../domain/payments';

/**
 * Every `intervalMs`, pays out the refunds whose payout is due (claimed, the provider failed
 * or the process died before it answered). Safe with several replicas: each due refund is
 * taken by one of them (`retryDuePayouts`).
 */
export function startRefundPayouts(payments: Pick<PaymentService, 'retryDuePayouts'>, intervalMs: number, logger: Logger) {
  const log = logger.child({ component: 'refund-payouts' });
  return repeatEvery(
    intervalMs,
    async () => {
      const { paid, failed } = await payments.retryDuePayouts();
      if (paid + failed > 0) log.info({ paid, failed }, 'Retried the payouts of refunds that were due.');
    },
    (err) => log.error({ err }, 'A round of refund payout retries failed.'),
  );
}
