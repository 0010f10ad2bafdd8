import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { SIGNATURE_HEADER, verifyCallback, type Logger, type SignatureCheck } from '@waimai/platform';
import { providerCallback } from '../domain/payment-rules';
import type { PaymentService } from '../domain/payments';

export interface ProviderCallbackOptions {
  /** The adapter whose callbacks this route takes; the path is /webhooks/payments/<provider>. */
  provider: string;
  secret: string;
  payments: PaymentService;
  logger: Logger;
}

const refusals: Record<Exclude<SignatureCheck, { ok: true }>['reason'], string> = {
  missing: 'The Payment-Signature header is missing.',
  malformed: 'The Payment-Signature header is malformed.',
  mismatch: 'The signature does not match the body.',
  stale: 'The signature timestamp is more than 300 s from now.',
};

/**
 * The provider's callback (paymentResultNotify, shared/contract/README.md). The HMAC covers
 * the exact bytes received, so the body is read raw and parsed only after it verifies.
 * 400: unsigned, wrongly signed, stale or malformed; 409: it does not match its payment;
 * 2xx: accepted, a repeat included. 5xx makes the provider retry later.
 */
export function mountProviderCallback(app: Express, options: ProviderCallbackOptions): void {
  const { provider, secret, payments } = options;
  const log = options.logger.child({ component: 'payment-webhook', provider });
  const path = `/webhooks/payments/${provider}`;

  // 64 kB: a callback is a few hundred bytes; anything bigger is not one.
  app.post(path, express.raw({ type: () => true, limit: '64kb' }), async (req: Request, res: Response, next: NextFunction) => {
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = verifyCallback(secret, req.header(SIGNATURE_HEADER), raw);
      if (!signature.ok) {
        log.warn({ reason: signature.reason }, 'Refused a payment callback whose signature does not verify.');
        res.status(400).json({ error: refusals[signature.reason] });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        res.status(400).json({ error: 'The body is not JSON.' });
        return;
      }
      const parsed = providerCallback.safeParse(body);
      if (!parsed.success) {
        res.status(400).json({ error: 'The body is not a payment callback.', problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
        return;
      }

      const callback = parsed.data;
      const result = await payments.acceptCallback({ callback, provider });
      const context = { eventId: callback.eventId, paymentId: callback.paymentId, orderId: callback.orderId, outcome: callback.paymentStatus };
      switch (result.kind) {
        case 'unknown-payment':
          log.warn(context, 'Refused a payment callback for a payment this service does not have.');
          res.status(409).json({ error: `No ${provider} payment ${callback.paymentId}.` });
          return;
        case 'mismatch':
          log.warn({ ...context, field: result.field }, 'Refused a payment callback that does not match its payment.');
          res.status(409).json({ error: `The callback's ${result.field} does not match the payment.` });
          return;
        case 'duplicate':
          res.status(200).json({ received: true, applied: false, duplicate: true });
          return;
        case 'unchanged':
          log.info({ ...context, status: result.status }, 'A payment callback changed nothing: the payment was already settled.');
          res.status(200).json({ received: true, applied: false, status: result.status });
          return;
        case 'applied':
          log.info({ ...context, status: result.status }, 'Applied a payment callback.');
          res.status(200).json({ received: true, applied: true, status: result.status });
          return;
      }
    } catch (err) {
      next(err);
    }
  });

  app.use(path, (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number; type?: string }).status;
    // body-parser's own refusals (too large, aborted) describe the request, not this service.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(400).json({ error: (err as Error).message });
      return;
    }
    log.error({ err }, 'Applying a payment callback failed; the provider will retry.');
    res.status(500).json({ error: 'Internal error; retry later.' });
  });
}
