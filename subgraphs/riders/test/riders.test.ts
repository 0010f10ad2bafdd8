import type { Identity } from '@waimai/platform';
import { admin, aRider, aRiderIdentity, aSpot, east, north, operator, REGISTER, REPORT, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
beforeAll(async () => {
  h = await startDispatchStack();
});
afterAll(async () => {
  await h.stop();
});

const customer: Identity = { sub: 'customer-riders-test', roles: ['CUSTOMER'] };
interface RiderView {
  id: string;
  name: string;
  phone: string | null;
  vehicle: string | null;
  status: string;
  location: { lat: number; lng: number } | null;
  locationUpdatedAt: string | null;
}
const RIDER = 'query($id: ID!) { rider(id: $id) { id name phone vehicle status location { lat lng } locationUpdatedAt } }';

describe('registering and going online', () => {
  test('a RIDER registers as themselves once; registering again returns the same rider', async () => {
    const me = aRiderIdentity();

    const first = await h.callRiders<{ registerRider: RiderView }>(REGISTER, { input: { name: ' 张三 ', phone: '+8613912345678', vehicle: '' } }, me);
    const again = await h.callRiders<{ registerRider: RiderView }>(REGISTER, { input: { name: '李四', phone: '13900000000' } }, me);

    expect(first.data!.registerRider).toEqual({ id: me.sub, name: '张三', phone: '+8613912345678', vehicle: null, status: 'OFFLINE' });
    expect(again.data!.registerRider).toEqual(first.data!.registerRider);
  });

  test('registerRider names every invalid field and writes nothing', async () => {
    const me = aRiderIdentity();

    const invalid = await h.callRiders(REGISTER, { input: { name: '', phone: '12-34', vehicle: 'x'.repeat(31) } }, me);
    const tooLong = await h.callRiders(REGISTER, { input: { name: 'n'.repeat(51), phone: `+${'1'.repeat(21)}` } }, me);
    const profile = await h.callRiders<{ rider: RiderView | null }>(RIDER, { id: me.sub }, me);

    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((invalid.errors?.[0]?.extensions?.problems as Array<{ field: string }>).map((p) => p.field).sort()).toEqual(['input.name', 'input.phone', 'input.vehicle']);
    expect((tooLong.errors?.[0]?.extensions?.problems as Array<{ field: string }>).map((p) => p.field).sort()).toEqual(['input.name', 'input.phone']);
    expect(profile.data!.rider).toBeNull();
  });

  test('rider mutations need the RIDER role; an unregistered rider is NOT_FOUND', async () => {
    const input = { name: '王五', phone: '13700000000' };
    const stranger = aRiderIdentity();

    const anonymous = await h.callRiders(REGISTER, { input });
    const asCustomer = await h.callRiders(REGISTER, { input }, customer);
    const onlineAsAdmin = await h.callRiders('mutation { goOnline { id } }', {}, admin);
    const reportAsCustomer = await h.callRiders(REPORT, { location: aSpot() }, customer);
    const unregisteredOnline = await h.callRiders('mutation { goOnline { id } }', {}, stranger);
    const unregisteredReport = await h.callRiders(REPORT, { location: aSpot() }, stranger);

    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(onlineAsAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(reportAsCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(unregisteredOnline.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unregisteredReport.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  test('OFFLINE → IDLE → OFFLINE; going offline takes the rider out of the idle set at once', async () => {
    const spot = aSpot();
    const me = await aRider(h, null, { online: false });

    const online = await h.callRiders<{ goOnline: { status: string } }>('mutation { goOnline { id status } }', {}, me);
    const onlineAgain = await h.callRiders<{ goOnline: { status: string } }>('mutation { goOnline { id status } }', {}, me);
    await h.callRiders(REPORT, { location: spot }, me);
    const indexedWhileOnline = await h.riders.locations.isIndexed(me.sub);
    const offline = await h.callRiders<{ goOffline: { status: string } }>('mutation { goOffline { id status } }', {}, me);
    const indexedAfterOffline = await h.riders.locations.isIndexed(me.sub);
    await h.callRiders(REPORT, { location: spot }, me);

    expect(online.data!.goOnline.status).toBe('IDLE');
    expect(onlineAgain.data!.goOnline.status).toBe('IDLE');
    expect(indexedWhileOnline).toBe(true);
    expect(offline.data!.goOffline.status).toBe('OFFLINE');
    expect(indexedAfterOffline).toBe(false);
    expect(await h.riders.locations.isIndexed(me.sub)).toBe(false);
    expect(await h.riders.locations.nearbyIdleRiders(spot, 1000, 10)).toEqual([]);
  });
});

describe('reportLocation and the idle riders index', () => {
  test('bad coordinates are BAD_USER_INPUT with each problem named, and nothing is recorded', async () => {
    const me = await aRider(h, null);

    const result = await h.callRiders(REPORT, { location: { lat: 90.5, lng: -181 } }, me);
    const profile = await h.callRiders<{ rider: RiderView }>(RIDER, { id: me.sub }, me);

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((result.errors?.[0]?.extensions?.problems as Array<{ field: string }>).map((p) => p.field).sort()).toEqual(['location.lat', 'location.lng']);
    expect(profile.data!.rider.location).toBeNull();
  });

  test('a report touches only Redis; the live location shows at once and reaches MySQL on the persist timer', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const before = h.queries.length;

    for (let i = 0; i < 20; i += 1) {
      const result = await h.callRiders<{ reportLocation: boolean }>(REPORT, { location: north(spot, i * 10) }, me);
      expect(result.data!.reportLocation).toBe(true);
    }
    // The outbox relay and the sweep of rounds that reached nobody poll on their own timers; nothing else may reach MySQL.
    const sqlOnHotPath = h.queries.slice(before).filter((statement) => !/outbox|dispatch_rounds|^(begin|commit|rollback|set transaction)/i.test(statement));
    const rowBeforePersist = await h.riderRow(me.sub);
    const profile = await h.callRiders<{ rider: RiderView }>(RIDER, { id: me.sub }, me);
    await h.riders.persistLocations();
    const rowAfterPersist = await h.riderRow(me.sub);

    expect(sqlOnHotPath).toEqual([]);
    expect(rowBeforePersist!.lat).toBeNull();
    expect(profile.data!.rider.location!.lat).toBeCloseTo(north(spot, 190).lat, 6);
    expect(Date.now() - new Date(profile.data!.rider.locationUpdatedAt!).getTime()).toBeLessThan(60_000);
    expect(rowAfterPersist!.lat).toBeCloseTo(north(spot, 190).lat, 6);
    expect(rowAfterPersist!.lng).toBeCloseTo(spot.lng, 6);
  });

  test('nearby idle riders come nearest first; riders 100 km away, offline or silent are not picked', async () => {
    const merchant = aSpot();
    const nearest = await aRider(h, north(merchant, 150));
    const second = await aRider(h, east(merchant, 600));
    const farAway = await aRider(h, north(merchant, 100_000));
    const offline = await aRider(h, north(merchant, 50));
    await h.callRiders('mutation { goOffline { id } }', {}, offline);
    const silent = await aRider(h, null);
    // Its last report was two minutes ago: longer than RIDER_LOCATION_TTL_SECONDS (60 s).
    await h.riders.locations.report(silent.sub, north(merchant, 100), new Date(Date.now() - 120_000));

    const near = await h.riders.locations.nearbyIdleRiders(merchant, 3000, 20);
    await h.riders.locations.sweep();

    expect(near.map((rider) => rider.riderId)).toEqual([nearest.sub, second.sub]);
    expect(near[0]!.distanceMeters).toBeGreaterThan(140);
    expect(near[0]!.distanceMeters).toBeLessThan(160);
    expect(near[1]!.distanceMeters).toBeGreaterThan(590);
    expect(near[1]!.distanceMeters).toBeLessThan(610);
    expect(await h.riders.locations.isIndexed(silent.sub)).toBe(false);
    expect(await h.riders.locations.isIndexed(farAway.sub)).toBe(true);
  });
});

describe('who sees a rider', () => {
  test('rider(id): the rider and staff see the whole profile; another rider or a customer gets null', async () => {
    const me = await aRider(h, aSpot());
    const other = aRiderIdentity();

    const self = await h.callRiders<{ rider: RiderView }>(RIDER, { id: me.sub }, me);
    const byOperator = await h.callRiders<{ rider: RiderView }>(RIDER, { id: me.sub }, operator);
    const byOther = await h.callRiders<{ rider: RiderView | null }>(RIDER, { id: me.sub }, other);
    const byCustomer = await h.callRiders<{ rider: RiderView | null }>(RIDER, { id: me.sub }, customer);
    const anonymous = await h.callRiders<{ rider: RiderView | null }>(RIDER, { id: me.sub });
    const missing = await h.callRiders<{ rider: RiderView | null }>(RIDER, { id: 'rider-nobody' }, admin);

    expect(self.data!.rider).toMatchObject({ id: me.sub, phone: '+8613800138000', status: 'IDLE', vehicle: '电动车' });
    expect(self.data!.rider.location).not.toBeNull();
    expect(byOperator.data!.rider.phone).toBe('+8613800138000');
    expect(byOther.data!.rider).toBeNull();
    expect(byCustomer.data!.rider).toBeNull();
    expect(anonymous.data!.rider).toBeNull();
    expect(missing.data!.rider).toBeNull();
  });

  test('Order.rider through _entities (riderId required from orders): name for the order\'s viewers, location only while delivering it, phone only for the rider and staff', async () => {
    const spot = aSpot();
    const me = await aRider(h, spot, { name: '送餐侠' });
    const query = `query($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on Order { id rider { id name phone location { lat lng } } } }
    }`;
    const representations = [
      { __typename: 'Order', id: 'order-with-rider', riderId: me.sub },
      { __typename: 'Order', id: 'order-without-rider', riderId: null },
    ];

    const asCustomer = await h.callRiders<{ _entities: Array<{ id: string; rider: { id: string; name: string; phone: string | null; location: { lat: number } | null } | null }> }>(
      query,
      { representations },
      customer,
    );
    const asSelf = await h.callRiders<{ _entities: Array<{ rider: { phone: string | null } | null }> }>(query, { representations }, me);
    const asAdmin = await h.callRiders<{ _entities: Array<{ rider: { phone: string | null } | null }> }>(query, { representations }, admin);

    expect(asCustomer.errors).toBeUndefined();
    // The rider is not delivering this order, so its viewers do not see where the rider is (stale-access.test.ts covers delivering).
    expect(asCustomer.data!._entities[0]).toEqual({ id: 'order-with-rider', rider: { id: me.sub, name: '送餐侠', phone: null, location: null } });
    expect(asCustomer.data!._entities[1]).toEqual({ id: 'order-without-rider', rider: null });
    expect(asSelf.data!._entities[0]!.rider!.phone).toBe('+8613800138000');
    expect(asAdmin.data!._entities[0]!.rider!.phone).toBe('+8613800138000');
  });
});
