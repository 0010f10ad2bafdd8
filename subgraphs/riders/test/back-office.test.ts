import type { AuditRecordedData, Identity, RiderUpdatedData } from '@waimai/platform';
import { admin, aMerchant, aPaidOrder, aRider, aRiderIdentity, aSpot, eventually, north, operator, orderIn, REPORT, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
beforeAll(async () => {
  // 30 s offers: a suspension must find the rider's offer still live.
  h = await startDispatchStack({ OFFER_SECONDS: '30' });
});
afterAll(async () => {
  await h.stop();
});

const customer: Identity = { sub: 'customer-back-office', roles: ['CUSTOMER'] };
const merchantCaller: Identity = { sub: 'merchant-back-office', roles: ['MERCHANT'] };

const SEARCH = `query($filter: RiderSearchFilter, $first: Int, $after: String) {
  searchRiders(filter: $filter, first: $first, after: $after) { edges { cursor node { id status suspended } } pageInfo { hasNextPage endCursor } }
}`;
const SUSPEND = 'mutation($riderId: ID!, $reason: String!) { suspendRider(riderId: $riderId, reason: $reason) { id status suspended suspendedReason } }';
const REINSTATE = 'mutation($riderId: ID!, $reason: String!) { reinstateRider(riderId: $riderId, reason: $reason) { id status suspended suspendedReason } }';
const PROFILE = 'query($id: ID!) { rider(id: $id) { id suspended suspendedReason } }';

interface SearchPage {
  searchRiders: { edges: Array<{ cursor: string; node: { id: string; status: string; suspended: boolean } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

async function search(filter: Record<string, unknown>, first?: number, after?: string) {
  const result = await h.callRiders<SearchPage>(SEARCH, { filter, first, after }, operator);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.searchRiders;
}
const idsOf = (page: SearchPage['searchRiders']) => page.edges.map((edge) => edge.node.id);

/** `riders` newest registered first (then id), as the search orders them. */
async function newestFirst(riders: Identity[]): Promise<string[]> {
  const rows = await Promise.all(riders.map((rider) => h.riderRow(rider.sub)));
  return rows
    .sort((a, b) => b!.createdAt.getTime() - a!.createdAt.getTime() || (a!.id < b!.id ? 1 : -1))
    .map((row) => row!.id);
}

const codeOf = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => result.errors?.[0]?.extensions?.code;
const fieldsOf = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  ((result.errors?.[0]?.extensions?.problems as Array<{ field: string }> | undefined) ?? []).map((problem) => problem.field).sort();

describe('searchRiders', () => {
  test('staff find riders by status, suspension, last seen and distance, newest registered first, page after page without gaps', async () => {
    const spot = aSpot();
    const beforeReports = new Date();
    const idleNear = await aRider(h, north(spot, 100));
    const offline = await aRider(h, north(spot, 300), { online: false });
    const suspended = await aRider(h, north(spot, 600));
    const farther = await aRider(h, north(spot, 4000));
    await h.callRiders(SUSPEND, { riderId: suspended.sub, reason: '投诉过多' }, admin);
    await h.riders.persistLocations();
    const afterReports = new Date(Date.now() + 1);
    const near = { near: spot, radiusMeters: 1000 };

    const all = await search(near);
    const idle = await search({ ...near, statuses: ['IDLE'] });
    const notSuspended = await search({ ...near, suspended: false });
    const onlySuspended = await search({ ...near, suspended: true });
    const seenInWindow = await search({ ...near, lastSeenFrom: beforeReports.toISOString(), lastSeenTo: afterReports.toISOString() });
    const seenLater = await search({ ...near, lastSeenFrom: afterReports.toISOString() });
    const wider = await search({ near: spot, radiusMeters: 4500 });
    const first = await search(near, 2);
    const second = await search(near, 2, first.pageInfo.endCursor!);

    const three = await newestFirst([idleNear, offline, suspended]);
    expect(idsOf(all)).toEqual(three);
    expect(all.edges.find((edge) => edge.node.id === suspended.sub)!.node).toEqual({ id: suspended.sub, status: 'IDLE', suspended: true });
    expect(idsOf(idle)).toEqual(three.filter((id) => id !== offline.sub));
    expect(idsOf(notSuspended)).toEqual(three.filter((id) => id !== suspended.sub));
    expect(idsOf(onlySuspended)).toEqual([suspended.sub]);
    expect(idsOf(seenInWindow)).toEqual(three);
    expect(idsOf(seenLater)).toEqual([]);
    expect(idsOf(wider)).toEqual(await newestFirst([idleNear, offline, suspended, farther]));
    expect(idsOf(first)).toEqual(three.slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(idsOf(second)).toEqual(three.slice(2));
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[0]!.cursor });
  });

  test('only OPERATOR and ADMIN may search riders: UNAUTHENTICATED without a token, FORBIDDEN for the other roles', async () => {
    const filter = { near: aSpot(), radiusMeters: 100 };

    const anonymous = await h.callRiders(SEARCH, { filter });
    const refused = await Promise.all([customer, merchantCaller, aRiderIdentity()].map((caller) => h.callRiders(SEARCH, { filter }, caller)));
    const asAdmin = await h.callRiders<SearchPage>(SEARCH, { filter }, admin);

    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(refused.map(codeOf)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(asAdmin.data!.searchRiders).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('a filter that cannot be answered is BAD_USER_INPUT naming each wrong field; so are a bad page size and a foreign cursor', async () => {
    const now = new Date();
    const ask = (variables: Record<string, unknown>) => h.callRiders(SEARCH, variables, operator);

    const emptyStatuses = await ask({ filter: { statuses: [] } });
    const nearWithoutRadius = await ask({ filter: { near: aSpot() } });
    const radiusWithoutNear = await ask({ filter: { radiusMeters: 500 } });
    const radiusOutOfRange = await ask({ filter: { near: aSpot(), radiusMeters: 0 } });
    const backwards = await ask({ filter: { lastSeenFrom: now.toISOString(), lastSeenTo: now.toISOString() } });
    const badPage = await ask({ first: 101 });
    const badCursor = await ask({ after: 'not-a-cursor' });

    expect(fieldsOf(emptyStatuses)).toEqual(['filter.statuses']);
    expect(fieldsOf(nearWithoutRadius)).toEqual(['filter.radiusMeters']);
    expect(fieldsOf(radiusWithoutNear)).toEqual(['filter.near']);
    expect(fieldsOf(radiusOutOfRange)).toEqual(['filter.radiusMeters']);
    expect(fieldsOf(backwards)).toEqual(['filter.lastSeenTo']);
    expect([badPage, badCursor].map(codeOf)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect([emptyStatuses, nearWithoutRadius, radiusWithoutNear, radiusOutOfRange, backwards].map(codeOf)).toEqual(Array(5).fill('BAD_USER_INPUT'));
  });
});

describe('suspending and reinstating a rider', () => {
  test('a suspension withdraws the rider\'s live offers, takes them out of the idle set, and commits RiderUpdated and the audit entry with it; asked again it writes nothing', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const rider = await aRider(h, north(spot, 150));
    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');

    const suspended = await h.callRiders<{ suspendRider: unknown }>(SUSPEND, { riderId: rider.sub, reason: '  多次超时未送达  ' }, operator);
    const again = await h.callRiders<{ suspendRider: unknown }>(SUSPEND, { riderId: rider.sub, reason: '再次暂停' }, admin);
    await h.callRiders(REPORT, { location: north(spot, 160) }, rider);
    const indexed = await h.riders.locations.isIndexed(rider.sub);
    const [offer] = await h.offersOf(order.id);
    const pending = await h.callRiders<{ pendingOrderOffers: unknown[] }>('query { pendingOrderOffers { id } }', {}, rider);
    const audits = await h.outboxOf<AuditRecordedData>(rider.sub, 'AuditRecorded');
    const updates = await h.outboxOf<RiderUpdatedData>(rider.sub, 'RiderUpdated');
    const ownView = await h.callRiders<{ rider: unknown }>(PROFILE, { id: rider.sub }, rider);

    const expected = { id: rider.sub, status: 'IDLE', suspended: true, suspendedReason: '多次超时未送达' };
    expect(suspended.data!.suspendRider).toEqual(expected);
    expect(again.data!.suspendRider).toEqual(expected);
    expect(ownView.data!.rider).toEqual({ id: rider.sub, suspended: true, suspendedReason: '多次超时未送达' });
    expect(indexed).toBe(false);
    expect(offer).toMatchObject({ riderId: rider.sub, status: 'WITHDRAWN' });
    expect(offer!.withdrawnAt).not.toBeNull();
    expect(pending.data!.pendingOrderOffers).toEqual([]);
    expect(audits.map((audit) => audit.data)).toEqual([
      expect.objectContaining({
        service: 'riders',
        actorId: operator.sub,
        actorRoles: ['OPERATOR'],
        action: 'RIDER_SUSPEND',
        targetType: 'RIDER',
        targetId: rider.sub,
        reason: '多次超时未送达',
        before: 'ACTIVE',
        after: 'SUSPENDED',
        details: { status: 'IDLE', offersWithdrawn: 1 },
      }),
    ]);
    expect(updates.map((update) => update.data).filter((data) => data.cause === 'SUSPENDED')).toEqual([expect.objectContaining({ riderId: rider.sub, status: 'IDLE', suspended: true })]);
  });

  test('a reinstatement lifts the suspension with its own audit entry and RiderUpdated; the rider is offered orders again; asked again it writes nothing', async () => {
    const spot = aSpot();
    const rider = await aRider(h, north(spot, 100));
    await h.callRiders(SUSPEND, { riderId: rider.sub, reason: '核查证件' }, operator);

    const reinstated = await h.callRiders<{ reinstateRider: unknown }>(REINSTATE, { riderId: rider.sub, reason: '证件已核实' }, admin);
    const again = await h.callRiders<{ reinstateRider: unknown }>(REINSTATE, { riderId: rider.sub, reason: '再次恢复' }, operator);
    await h.callRiders(REPORT, { location: north(spot, 110) }, rider);
    const audits = await h.outboxOf<AuditRecordedData>(rider.sub, 'AuditRecorded');
    const updates = await h.outboxOf<RiderUpdatedData>(rider.sub, 'RiderUpdated');

    const expected = { id: rider.sub, status: 'IDLE', suspended: false, suspendedReason: null };
    expect(reinstated.data!.reinstateRider).toEqual(expected);
    expect(again.data!.reinstateRider).toEqual(expected);
    expect(await h.riders.locations.isIndexed(rider.sub)).toBe(true);
    expect(audits.map((audit) => [audit.data.action, audit.data.actorId, audit.data.reason, audit.data.before, audit.data.after])).toEqual([
      ['RIDER_SUSPEND', operator.sub, '核查证件', 'ACTIVE', 'SUSPENDED'],
      ['RIDER_REINSTATE', admin.sub, '证件已核实', 'SUSPENDED', 'ACTIVE'],
    ]);
    expect(updates.map((update) => [update.data.cause, update.data.suspended]).slice(-2)).toEqual([
      ['SUSPENDED', true],
      ['REINSTATED', false],
    ]);
  });

  test('a suspended rider is skipped by dispatch: the order goes to the next rider out', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const suspended = await aRider(h, north(spot, 100));
    const next = await aRider(h, north(spot, 500));
    await h.callRiders(SUSPEND, { riderId: suspended.sub, reason: '暂停接单' }, operator);
    // Reports after the suspension: a suspended rider is never put back in the idle set.
    await h.callRiders(REPORT, { location: north(spot, 100) }, suspended);

    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');

    expect((await h.offersOf(order.id)).map((offer) => offer.riderId)).toEqual([next.sub]);
  });

  test('only OPERATOR and ADMIN may suspend or reinstate; a blank or over-long reason is BAD_USER_INPUT, an unknown rider NOT_FOUND; none of them is audited', async () => {
    const rider = await aRider(h, aSpot());
    const args = { riderId: rider.sub, reason: '违规' };

    const anonymous = await h.callRiders(SUSPEND, args);
    const refused = await Promise.all([customer, merchantCaller, rider].map((caller) => h.callRiders(SUSPEND, args, caller)));
    const refusedReinstate = await h.callRiders(REINSTATE, args, rider);
    const blank = await h.callRiders(SUSPEND, { riderId: rider.sub, reason: '   ' }, operator);
    const tooLong = await h.callRiders(REINSTATE, { riderId: rider.sub, reason: '长'.repeat(501) }, operator);
    const longest = await h.callRiders<{ suspendRider: { suspendedReason: string } }>(SUSPEND, { riderId: rider.sub, reason: '长'.repeat(500) }, operator);
    const unknown = await h.callRiders(SUSPEND, { riderId: 'rider-nobody', reason: '违规' }, operator);

    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect([...refused, refusedReinstate].map(codeOf)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(fieldsOf(blank)).toEqual(['arguments.reason']);
    expect(fieldsOf(tooLong)).toEqual(['arguments.reason']);
    expect(longest.data!.suspendRider.suspendedReason).toHaveLength(500);
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    expect((await h.outboxOf<AuditRecordedData>(rider.sub, 'AuditRecorded')).map((audit) => audit.data.reason)).toEqual(['长'.repeat(500)]);
  });
});

describe('RiderUpdated', () => {
  test('every change of a rider\'s status is published: online, offline, grabbing an order and delivering it; a step that changes nothing is not', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const rider = await aRider(h, north(spot, 120), { online: false });

    await h.callRiders('mutation { goOnline { id } }', {}, rider);
    await h.callRiders('mutation { goOnline { id } }', {}, rider);
    await h.callRiders('mutation { goOffline { id } }', {}, rider);
    await h.callRiders('mutation { goOnline { id } }', {}, rider);
    await h.callRiders(REPORT, { location: north(spot, 120) }, rider);
    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
    await h.callOrders('mutation($id: ID!) { grabOrder(orderId: $id) { id } }', { id: order.id }, rider);
    await eventually(async () => (await h.riderRow(rider.sub))?.status === 'DELIVERING', 20_000, 'rider DELIVERING');
    await h.callOrders('mutation($id: ID!) { deliverOrder(orderId: $id) { id } }', { id: order.id }, rider);
    await eventually(async () => (await h.riderRow(rider.sub))?.status === 'IDLE', 20_000, 'rider IDLE again');
    const updates = await h.outboxOf<RiderUpdatedData>(rider.sub, 'RiderUpdated');
    const [grabbedOffer] = await h.offersOf(order.id);

    expect(updates.map((update) => [update.data.cause, update.data.status, update.data.suspended])).toEqual([
      ['STATUS', 'IDLE', false],
      ['STATUS', 'OFFLINE', false],
      ['STATUS', 'IDLE', false],
      ['ASSIGNED', 'DELIVERING', false],
      ['RELEASED', 'IDLE', false],
    ]);
    expect(grabbedOffer).toMatchObject({ riderId: rider.sub, status: 'ASSIGNED' });
  });
});
