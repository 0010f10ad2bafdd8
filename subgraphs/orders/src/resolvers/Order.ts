import type { OrderItemResolvers, OrderResolvers } from '../generated/graphql';

export const Order: OrderResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.visibleOrder.load(reference.id),
  merchant: (order) => ({ id: order.merchantId }),
  deliveryLocation: (order) => ({ lat: order.deliveryLat, lng: order.deliveryLng }),
  items: (order, _args, { loaders }) => loaders.items.load(order.id),
  timeline: (order, _args, { loaders }) => loaders.timeline.load(order.id),
  // The snapshot taken when the order was placed: its columns, its lines and its discount rows.
  priceBreakdown: async (order, _args, { loaders }) => {
    const [lines, discounts] = await Promise.all([loaders.items.load(order.id), loaders.discounts.load(order.id)]);
    return {
      lines,
      itemsCents: order.itemsCents,
      discounts,
      discountCents: order.discountCents,
      deliveryFeeCents: order.deliveryFeeCents,
      totalCents: order.totalCents,
      discountsAvailable: order.discountsAvailable,
    };
  },
};

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ id: item.productId }),
  subtotalCents: (item) => item.unitPriceCents * item.quantity,
};
