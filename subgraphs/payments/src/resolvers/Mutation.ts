import { ForbiddenError, InvalidStateTransitionError, NotFoundError, requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { initiatePaymentArgs } from '../domain/payment-rules';

export const Mutation: MutationResolvers = {
  initiatePayment: async (_parent, args, context) => {
    const customer = requireRole(context.caller, 'CUSTOMER');
    const { orderId } = validateInput(initiatePaymentArgs, args, 'arguments');
    // The orders service is the authority on who owns the order, its status and its total.
    const answer = await context.orders.orderForPayment({ params: { orderId } });
    if (!answer.ok) throw new NotFoundError('Order', orderId);
    const order = answer.value;
    if (order.customerId !== customer.sub) throw new ForbiddenError(`Order ${orderId} is not yours to pay.`);
    if (order.status !== 'PENDING_PAYMENT') throw new InvalidStateTransitionError(orderId, order.status, 'initiatePayment');

    const provider = context.providers.current;
    // A deployment without an adapter (PAYMENT_PROVIDER=none) is our misconfiguration, not the client's mistake.
    if (!provider) throw new Error('No payment provider is configured (PAYMENT_PROVIDER=none).');
    const result = await context.stores.payments.startPayment({
      order,
      method: args.paymentMethod,
      provider: provider.name,
      windowSeconds: context.paymentWindowSeconds,
      openAtProvider: (payment) =>
        provider.createPayment({ paymentId: payment.id, orderId, amountCents: order.totalCents, method: args.paymentMethod, expiresAt: payment.expiresAt }),
    });
    // Paid a moment ago: the order leaves PENDING_PAYMENT as soon as orders reads PaymentSucceeded.
    if (result.kind === 'already-paid') throw new InvalidStateTransitionError(orderId, order.status, 'initiatePayment (the order is already paid)');
    if (result.kind === 'created' && result.eventsEnqueued) context.eventsEnqueued();
    return result.payment;
  },
};
