import type { OrderItemResolvers, OrderResolvers } from '../generated/graphql';

export const Order: OrderResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.visibleOrder.load(reference.id),
  merchant: (order) => ({ id: order.merchantId }),
  deliveryLocation: (order) => ({ lat: order.deliveryLat, lng: order.deliveryLng }),
  items: (order, _args, { loaders }) => loaders.items.load(order.id),
  timeline: (order, _args, { loaders }) => loaders.timeline.load(order.id),
};

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ id: item.productId }),
  subtotalCents: (item) => item.unitPriceCents * item.quantity,
};
