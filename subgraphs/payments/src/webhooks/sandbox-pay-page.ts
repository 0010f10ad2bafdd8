import { randomBytes } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { SIGNATURE_HEADER, signCallback, type Logger } from '@waimai/platform';
import type { PaymentStore } from '../db/payment-store';
import type { CallbackOutcome, PaymentRow } from '../db/schema';
import { isExpired } from '../domain/payment-rules';
import { SANDBOX_PROVIDER, sandboxPayPath } from '../providers/sandbox';

export interface SandboxPayPageOptions {
  store: PaymentStore;
  secret: string;
  /** Where the signed callback goes: through the gateway by default, as a real provider's would. */
  callbackUrl: string;
  callbackTimeoutMs: number;
  logger: Logger;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

/** ¥ and two decimals from integer cents (分). */
export const yuan = (cents: number) => `¥${(cents / 100).toFixed(2)}`;

const methodNames: Record<PaymentRow['paymentMethod'], string> = { ALIPAY: '支付宝 Alipay', WECHAT_PAY: '微信支付 WeChat Pay', CARD: '银行卡 Card' };

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f4f5f7; margin: 0; padding: 2rem 1rem; color: #222; }
  main { max-width: 26rem; margin: 0 auto; background: #fff; border-radius: 12px; padding: 1.5rem; box-shadow: 0 2px 10px rgba(0,0,0,.08); }
  h1 { font-size: 1.1rem; margin: 0 0 1rem; }
  .amount { font-size: 2.2rem; font-weight: 700; margin: .5rem 0 1rem; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem .8rem; font-size: .9rem; margin: 0 0 1.2rem; }
  dt { color: #777; } dd { margin: 0; word-break: break-all; }
  form { display: inline; }
  button { font-size: 1rem; border: 0; border-radius: 8px; padding: .7rem 1.4rem; margin-right: .6rem; cursor: pointer; }
  .pay { background: #1677ff; color: #fff; } .fail { background: #eee; color: #a00; }
  .note { font-size: .8rem; color: #888; margin-top: 1.2rem; }
  .ok { color: #0a7a2f; } .bad { color: #a00; }
</style>
</head>
<body><main>
${body}
<p class="note">沙箱支付 · waimai sandbox payment provider. No real money moves.</p>
</main></body>
</html>`;
}

function details(payment: PaymentRow): string {
  return `<dl>
  <dt>订单 Order</dt><dd>${escapeHtml(payment.orderId)}</dd>
  <dt>支付 Payment</dt><dd>${escapeHtml(payment.id)}</dd>
  <dt>方式 Method</dt><dd>${escapeHtml(methodNames[payment.paymentMethod])}</dd>
  <dt>状态 Status</dt><dd>${escapeHtml(payment.status)}</dd>
  ${payment.expiresAt ? `<dt>有效期 Until</dt><dd>${escapeHtml(payment.expiresAt.toISOString())}</dd>` : ''}
</dl>`;
}

function payable(payment: PaymentRow, now: Date): string | null {
  if (payment.status !== 'PENDING') return `This payment is ${payment.status}; there is nothing to pay.`;
  if (isExpired(payment, now)) return 'This payment link has expired; start paying the order again.';
  return null;
}

function payPage(payment: PaymentRow): string {
  const action = sandboxPayPath(payment.id);
  const refusal = payable(payment, new Date());
  const buttons = refusal
    ? `<p class="bad">${escapeHtml(refusal)}</p>`
    : `<form method="post" action="${escapeHtml(`${action}/succeed`)}"><button class="pay" type="submit">支付 Pay</button></form>` +
      `<form method="post" action="${escapeHtml(`${action}/fail`)}"><button class="fail" type="submit">失败 Fail</button></form>`;
  return page('Sandbox payment', `<h1>沙箱支付 Sandbox payment</h1>
<div class="amount">${yuan(payment.amountCents)}</div>
${details(payment)}
${buttons}`);
}

/**
 * The sandbox provider's pay page (its payUrl): shows the order and amount with Pay and Fail
 * buttons; each sends the signed callback a real provider would send, to SANDBOX_CALLBACK_URL,
 * and shows how the webhook answered.
 */
export function mountSandboxPayPage(app: Express, options: SandboxPayPageOptions): void {
  const { store } = options;
  const log = options.logger.child({ component: 'sandbox-provider' });
  const router = express.Router();

  async function sandboxPayment(req: Request, res: Response): Promise<PaymentRow | null> {
    const payment = await store.byIdOnPrimary(String(req.params.paymentId));
    if (payment && payment.provider === SANDBOX_PROVIDER) return payment;
    res.status(404).type('html').send(page('Not found', '<h1 class="bad">没有这笔支付 No such payment</h1>'));
    return null;
  }

  router.get('/:paymentId', async (req, res, next) => {
    try {
      const payment = await sandboxPayment(req, res);
      if (payment) res.type('html').send(payPage(payment));
    } catch (err) {
      next(err);
    }
  });

  const report = (outcome: CallbackOutcome) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const payment = await sandboxPayment(req, res);
      if (!payment) return;
      const refusal = payable(payment, new Date());
      if (refusal) {
        res.status(409).type('html').send(page('Not payable', `<h1 class="bad">${escapeHtml(refusal)}</h1>${details(payment)}`));
        return;
      }
      const delivery = await sendCallback(options, payment, outcome);
      log.info({ paymentId: payment.id, outcome, status: delivery.status }, 'The sandbox provider sent a payment callback.');
      const accepted = delivery.status >= 200 && delivery.status < 300;
      const headline = !accepted
        ? `<h1 class="bad">回调被拒绝 The callback was not accepted (${delivery.status || 'no answer'})</h1><p>${escapeHtml(delivery.answer)}</p>`
        : outcome === 'SUCCESS'
          ? '<h1 class="ok">支付成功 Paid</h1><p>The shop has been told; you can close this page.</p>'
          : '<h1 class="bad">支付失败 Payment failed</h1><p>The order can be paid again.</p>';
      const latest = (await store.byIdOnPrimary(payment.id)) ?? payment;
      res.status(accepted ? 200 : 502).type('html').send(page('Sandbox payment', `${headline}<div class="amount">${yuan(latest.amountCents)}</div>${details(latest)}`));
    } catch (err) {
      next(err);
    }
  };
  router.post('/:paymentId/succeed', report('SUCCESS'));
  router.post('/:paymentId/fail', report('FAILURE'));

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // A client mistake (a path with a malformed percent-encoding, a body that is not a form) keeps its 4xx.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      log.info({ path: req.path, status }, 'The sandbox pay page refused a malformed request.');
      res.status(status).type('html').send(page('Bad request', '<h1 class="bad">请求无效 This address is not valid</h1>'));
      return;
    }
    log.error({ err, path: req.path }, 'The sandbox pay page failed.');
    res.status(500).type('html').send(page('Error', '<h1 class="bad">出错了 Something went wrong</h1>'));
  });

  app.use('/webhooks/payments/sandbox/pay', router);
}

/** Sends the contract's callback, signed, as the provider would: a fresh eventId each time. */
async function sendCallback(options: SandboxPayPageOptions, payment: PaymentRow, outcome: CallbackOutcome): Promise<{ status: number; answer: string }> {
  const body = JSON.stringify({
    eventId: `evt_${randomBytes(12).toString('hex')}`,
    paymentId: payment.id,
    orderId: payment.orderId,
    paymentStatus: outcome,
    amountCents: payment.amountCents,
    providerTxnId: `sbx_txn_${randomBytes(10).toString('hex')}`,
  });
  try {
    const response = await fetch(options.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(options.secret, body) },
      body,
      signal: AbortSignal.timeout(options.callbackTimeoutMs),
    });
    return { status: response.status, answer: await response.text() };
  } catch (err) {
    return { status: 0, answer: `The callback could not be delivered to ${options.callbackUrl}: ${(err as Error).message}` };
  }
}
