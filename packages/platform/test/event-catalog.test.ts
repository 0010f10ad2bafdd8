import { eventCatalog, newEvent, OrderOffered, RefundRequested, topicOf, Topics } from '../src';

describe('the event catalog', () => {
  test('newEvent builds the envelope as it goes on the wire: id, type name, version 1, aggregate id, time, parsed data', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const event = newEvent(RefundRequested, 'order-1', { orderId: 'order-1', paymentId: null, amountCents: 500, reason: 'LATE_DELIVERY' }, at);
    expect(event).toEqual({
      id: expect.any(String),
      type: 'RefundRequested',
      version: 1,
      aggregateId: 'order-1',
      occurredAt: '2026-01-02T03:04:05.678Z',
      data: { orderId: 'order-1', paymentId: null, amountCents: 500, reason: 'LATE_DELIVERY' },
    });
  });

  test('an event whose data does not match its schema cannot be built', () => {
    const invalid = { orderId: 'order-1', paymentId: null, amountCents: -5, reason: 'LATE_DELIVERY' } as const;
    expect(() => newEvent(RefundRequested, 'order-1', invalid)).toThrow();
  });

  test('fields the schema does not know are dropped, not published', () => {
    const data = { offerId: 'o', orderId: 'x', riderId: 'r', round: 1, distanceMeters: 10, expiresAt: 'later', secret: 'no' };
    expect(newEvent(OrderOffered, 'r', data).data).not.toHaveProperty('secret');
  });

  test('each type is published on the topic it is read from', () => {
    expect(Object.fromEntries(Object.values(eventCatalog).map((definition) => [definition.type, definition.topic]))).toEqual({
      OrderStatusChanged: Topics.orderEvents,
      RefundRequested: Topics.orderEvents,
      PaymentSucceeded: Topics.paymentEvents,
      PaymentFailed: Topics.paymentEvents,
      PaymentRefunded: Topics.paymentEvents,
      OrderOffered: Topics.dispatchOffers,
      AuditRecorded: Topics.auditEvents,
      OrderRedispatchRequested: Topics.orderEvents,
      OrderReassigned: Topics.orderEvents,
      OrderWithdrawn: Topics.dispatchOffers,
      RiderUpdated: Topics.riderEvents,
      PaymentNeedsAttention: Topics.paymentEvents,
      AdPlacementChanged: Topics.adEvents,
    });
    const offered = newEvent(OrderOffered, 'r', { offerId: 'o', orderId: 'x', riderId: 'r', round: 1, distanceMeters: 10, expiresAt: 'later' });
    expect(topicOf(offered)).toBe(Topics.dispatchOffers);
  });
});
