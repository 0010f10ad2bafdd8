import type { PaymentMethod, RefundReason } from '../db/schema';

export interface CreatePaymentRequest {
  paymentId: string;
  orderId: string;
  amountCents: number;
  method: PaymentMethod;
  /** Until when the provider should accept the payment. */
  expiresAt: Date;
}

export interface CreatedPayment {
  /** Where the customer pays in a browser. */
  payUrl: string;
  /** What a phone scans: a URL or the provider's own code. */
  qrCode: string;
  /** The provider's own deadline, which may be earlier than the one asked for. */
  expiresAt: Date;
}

export interface RefundRequest {
  paymentId: string;
  orderId: string;
  providerTxnId: string | null;
  amountCents: number;
  reason: RefundReason;
  /**
   * The same for every attempt at one refund (payment + reason): providers take it as an
   * idempotency key (e.g. out_refund_no), so a retried refund is paid once.
   */
  refundKey: string;
}

/**
 * One payment provider (the sandbox, Alipay, WeChat Pay, a card acquirer) behind the same
 * two calls. Results arrive later through the provider's signed callback (the webhook).
 */
export interface PaymentProvider {
  readonly name: string;
  createPayment(request: CreatePaymentRequest): Promise<CreatedPayment>;
  refund(request: RefundRequest): Promise<{ providerRefundId: string }>;
}
