import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signCallback } from '@waimai/platform';
import { contractOperation, gql } from '@waimai/testkit/client';
import type { CityCounters } from './stats';

/** The contract's operations the simulated apps send (schema/contract/operations.graphql), by name. */
export type ContractOperationName =
  | 'NearbyMerchants'
  | 'CreateOrder'
  | 'InitiatePayment'
  | 'CancelOrder'
  | 'OrderInfo'
  | 'UpdateProductStock'
  | 'RegisterRider'
  | 'GoOnline'
  | 'GoOffline'
  | 'ReportLocations'
  | 'PendingOrderOffers'
  | 'GrabOrder'
  | 'PickUpOrder'
  | 'DeliverOrder'
  | 'RiderProfile';

/** Answers that changed nothing and say to try again later. */
const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
const RETRIES = 4;

export type CallOutcome<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

/** A provider callback's outcome, as the contract's webhook body says it. */
export type PaymentOutcome = 'SUCCESS' | 'FAILURE';

/**
 * The simulator's way into the platform, and its only one: the contract's operations through
 * the gateway (HTTP) and the payment provider's signed callback to the gateway's webhook.
 * A failure comes back as a code, never thrown, so each caller decides whether it was expected;
 * `unexpected` records one in the counters.
 */
export class CityApi {
  readonly graphqlUrl: string;
  readonly wsUrl: string;

  constructor(
    readonly gatewayUrl: string,
    private readonly webhookSecret: string,
    private readonly counters: CityCounters,
    /** Resolves true after `ms`, or false at once when the city stops. */
    private readonly pause: (ms: number) => Promise<boolean>,
  ) {
    this.graphqlUrl = `${gatewayUrl}/graphql`;
    this.wsUrl = `${gatewayUrl.replace(/^http/, 'ws')}/graphql`;
  }

  /**
   * One operation; a SERVICE_UNAVAILABLE or RATE_LIMITED answer (nothing was changed) is tried
   * again as an app would, 4 times at most, after `retryAfterSeconds` or 2, 4, 8, 16 s. Every
   * contract operation the simulator sends is safe to repeat (createOrder carries an idempotency key).
   */
  async call<T>(operation: ContractOperationName, variables: Record<string, unknown>, token: string): Promise<CallOutcome<T>> {
    let outcome = await this.once<T>(operation, variables, token);
    for (let retry = 0; retry < RETRIES && !outcome.ok && RETRYABLE.has(outcome.code); retry += 1) {
      this.counters.errors.retried += 1;
      if (!(await this.pause((outcome.retryAfterSeconds ?? 2 ** (retry + 1)) * 1000))) break;
      outcome = await this.once<T>(operation, variables, token);
    }
    return outcome;
  }

  private async once<T>(operation: ContractOperationName, variables: Record<string, unknown>, token: string): Promise<CallOutcome<T> & { retryAfterSeconds?: number }> {
    try {
      const result = await gql<T>(this.graphqlUrl, contractOperation(operation), variables, token);
      const error = result.errors?.[0];
      if (error || !result.data) {
        const retryAfter = error?.extensions?.retryAfterSeconds;
        return {
          ok: false,
          code: error?.extensions?.code ?? `HTTP_${result.status}`,
          message: error?.message ?? 'no data',
          ...(typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : {}),
        };
      }
      return { ok: true, data: result.data };
    } catch (err) {
      return { ok: false, code: 'NETWORK', message: err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err) };
    }
  }

  /** The call's data, or null after counting its failure as an error. */
  async expect<T>(operation: ContractOperationName, variables: Record<string, unknown>, token: string): Promise<T | null> {
    const outcome = await this.call<T>(operation, variables, token);
    if (outcome.ok) return outcome.data;
    this.unexpected(operation, outcome);
    return null;
  }

  unexpected(operation: string, failure: { code: string; message: string }): void {
    this.counters.error(operation, failure.code, failure.message);
  }

  /**
   * What the payment provider sends when the customer has paid (or the payment failed): the
   * contract's callback body, signed with PAYMENT_WEBHOOK_SECRET, to the gateway's webhook.
   * True when the webhook accepted it (2xx).
   */
  async providerCallback(payment: { id: string; amountCents: number }, orderId: string, outcome: PaymentOutcome): Promise<boolean> {
    const body = JSON.stringify({
      eventId: `evt_${randomUUID()}`,
      paymentId: payment.id,
      orderId,
      paymentStatus: outcome,
      amountCents: payment.amountCents,
      providerTxnId: `txn_${randomUUID()}`,
    });
    try {
      const response = await fetch(`${this.gatewayUrl}/webhooks/payments/sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(this.webhookSecret, body) },
        body,
      });
      const answer = await response.text();
      if (response.ok) return true;
      this.unexpected('PaymentCallback', { code: `WEBHOOK_${response.status}`, message: answer.slice(0, 200) });
    } catch (err) {
      this.unexpected('PaymentCallback', { code: 'NETWORK', message: err instanceof Error ? err.message : String(err) });
    }
    return false;
  }
}
