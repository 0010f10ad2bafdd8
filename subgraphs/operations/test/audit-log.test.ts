import { auditEvent, type Identity } from '@waimai/platform';
import { uniqueId } from '@waimai/testkit';
import { codesOf, startOperations, type OperationsHarness } from './harness';

let h: OperationsHarness;
const operator: Identity = { sub: uniqueId('operator'), roles: ['OPERATOR'] };
const admin: Identity = { sub: uniqueId('admin'), roles: ['ADMIN', 'OPERATOR'] };
const order = uniqueId('order');
const rider = uniqueId('rider');
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute));

const entries = [
  auditEvent('orders', operator, { action: 'ORDER_REDISPATCH', targetType: 'ORDER', targetId: order, reason: '无人接单，扩大范围', before: 'CREATED', after: 'CREATED', details: { radiusMeters: 5000 } }, at(1)),
  auditEvent('riders', operator, { action: 'RIDER_SUSPEND', targetType: 'RIDER', targetId: rider, reason: '多次超时', before: 'IDLE', after: 'IDLE' }, at(2)),
  auditEvent('orders', admin, { action: 'ORDER_REASSIGN', targetType: 'ORDER', targetId: order, reason: '骑手车坏了', before: 'DELIVERING', after: 'DELIVERING', details: { fromRiderId: 'r1', toRiderId: 'r2' } }, at(3)),
  auditEvent('riders', admin, { action: 'RIDER_REINSTATE', targetType: 'RIDER', targetId: rider, reason: '申诉通过', before: 'IDLE', after: 'IDLE' }, at(4)),
  auditEvent('orders', operator, { action: 'ORDER_CANCEL', targetType: 'ORDER', targetId: order, reason: '顾客电话要求取消', before: 'DELIVERING', after: 'CANCELLED' }, at(5)),
];

beforeAll(async () => {
  h = await startOperations();
  // Each entry twice, the second copy after the others, as a relay republishing after a crash would.
  await h.publish(...entries, ...entries);
  await h.applied();
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const AUDIT_LOG = /* GraphQL */ `
  query ($filter: AuditLogFilter, $first: Int, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      edges { node { id service actorId actorRoles action targetType targetId reason before after details at } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
type Page = { auditLog: { edges: Array<{ node: { id: string; action: string; details: string } & Record<string, unknown> }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
const ids = (page: Page | null | undefined) => page?.auditLog.edges.map((edge) => edge.node.id);
const newestFirst = [...entries].reverse();

test('every recorded action appears once, newest first, with who, what, on what, why and when', async () => {
  const result = await h.as<Page>(['OPERATOR'], AUDIT_LOG, { first: 10 });
  expect(result.errors).toBeUndefined();
  expect(ids(result.data)).toEqual(newestFirst.map((entry) => entry.id));
  expect(result.data?.auditLog.edges[2]?.node).toEqual({
    id: entries[2]!.id,
    service: 'orders',
    actorId: admin.sub,
    actorRoles: ['ADMIN', 'OPERATOR'],
    action: 'ORDER_REASSIGN',
    targetType: 'ORDER',
    targetId: order,
    reason: '骑手车坏了',
    before: 'DELIVERING',
    after: 'DELIVERING',
    details: JSON.stringify({ fromRiderId: 'r1', toRiderId: 'r2' }),
    at: at(3).toISOString(),
  });
});

test('pages follow one another without gaps or repeats', async () => {
  const first = await h.as<Page>(['ADMIN'], AUDIT_LOG, { first: 2 });
  const second = await h.as<Page>(['ADMIN'], AUDIT_LOG, { first: 2, after: first.data?.auditLog.pageInfo.endCursor });
  const third = await h.as<Page>(['ADMIN'], AUDIT_LOG, { first: 2, after: second.data?.auditLog.pageInfo.endCursor });
  expect([...ids(first.data)!, ...ids(second.data)!, ...ids(third.data)!]).toEqual(newestFirst.map((entry) => entry.id));
  expect([first, second, third].map((page) => page.data?.auditLog.pageInfo.hasNextPage)).toEqual([true, true, false]);
});

test('each filter keeps only the matching entries', async () => {
  const filtered = async (filter: Record<string, unknown>) => ids((await h.as<Page>(['OPERATOR'], AUDIT_LOG, { filter, first: 10 })).data);
  const idsOf = (...indexes: number[]) => indexes.map((index) => entries[index]!.id);
  expect(await filtered({ actorId: admin.sub })).toEqual(idsOf(3, 2));
  expect(await filtered({ actions: ['RIDER_SUSPEND', 'RIDER_REINSTATE'] })).toEqual(idsOf(3, 1));
  expect(await filtered({ targetId: order })).toEqual(idsOf(4, 2, 0));
  expect(await filtered({ targetType: 'RIDER' })).toEqual(idsOf(3, 1));
  expect(await filtered({ from: at(2).toISOString(), to: at(4).toISOString() })).toEqual(idsOf(2, 1));
  expect(await filtered({ actorId: operator.sub, targetType: 'ORDER', actions: ['ORDER_CANCEL'] })).toEqual(idsOf(4));
});

test('a filter that cannot match sensibly, a bad page size or a foreign cursor is bad input', async () => {
  for (const variables of [{ filter: { actions: [] } }, { filter: { from: at(4).toISOString(), to: at(2).toISOString() } }, { filter: { actorId: 'x'.repeat(129) } }, { first: 0 }, { first: 101 }, { after: 'not-a-cursor' }]) {
    expect({ variables, codes: codesOf(await h.as(['OPERATOR'], AUDIT_LOG, variables)) }).toEqual({ variables, codes: ['BAD_USER_INPUT'] });
  }
});

test('customers, merchants and riders are refused the audit log, and a caller without a token is unauthenticated', async () => {
  for (const role of ['CUSTOMER', 'MERCHANT', 'RIDER'] as const) {
    expect({ role, codes: codesOf(await h.as([role], AUDIT_LOG)) }).toEqual({ role, codes: ['FORBIDDEN'] });
  }
  expect(codesOf(await h.as(null, AUDIT_LOG))).toEqual(['UNAUTHENTICATED']);
});
