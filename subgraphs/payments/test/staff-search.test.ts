import { newId, type Identity } from '@waimai/platform';
import { aCustomer, anOperator, callbackFor, startPayments, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

const MINUTE = 60_000;
/** A stretch of time no other test of this run uses: the searches below look only inside it. */
const windowStart = Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 1_000_000) * 10 * MINUTE;
const at = (minutes: number) => new Date(windowStart + minutes * MINUTE);
const wholeWindow = { createdFrom: at(0).toISOString(), createdTo: at(60).toISOString() };

interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const SEARCH_PAYMENTS = `query($filter: PaymentSearchFilter, $first: Int, $after: String) {
  searchPayments(filter: $filter, first: $first, after: $after) { edges { cursor node { id order { id } status createdAt } } pageInfo { hasNextPage endCursor } }
}`;
const SEARCH_REFUNDS = `query($filter: RefundSearchFilter, $first: Int, $after: String) {
  searchRefunds(filter: $filter, first: $first, after: $after) { edges { cursor node { id orderId amountCents reason createdAt payment { id } } } pageInfo { hasNextPage endCursor } }
}`;

type PaymentNode = { id: string; order: { id: string }; status: string; createdAt: string };
type RefundNode = { id: string; orderId: string; amountCents: number; reason: string; createdAt: string; payment: { id: string } };

const searchPayments = (variables: Record<string, unknown>, caller: Identity | null = anOperator()) =>
  h.call<{ searchPayments: Page<PaymentNode> }>(SEARCH_PAYMENTS, variables, caller);
const searchRefunds = (variables: Record<string, unknown>, caller: Identity | null = anOperator()) =>
  h.call<{ searchRefunds: Page<RefundNode> }>(SEARCH_REFUNDS, variables, caller);

/** Every page of a search, `first` at a time, following endCursor. */
async function allPages<T>(search: (after: string | null) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  for (let after: string | null = null; ; ) {
    const page = await search(after);
    pages.push(page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
}

/** Five payments started a minute apart in the window: two paid, two failed, one pending; three refunds of the paid ones. */
let made: { paid: string[]; failed: string[]; pending: string; all: string[]; refunds: Array<{ id: string; reason: string }> };
beforeAll(async () => {
  const started = [];
  for (let minute = 1; minute <= 5; minute += 1) started.push(await h.aPendingPayment({ amountCents: 1000 * minute, startedAt: at(minute) }));
  const [first, second, third, fourth, fifth] = started as [(typeof started)[0], (typeof started)[0], (typeof started)[0], (typeof started)[0], (typeof started)[0]];
  for (const payment of [first, third]) await h.deliver(callbackFor(payment, 'SUCCESS'));
  for (const payment of [second, fourth]) await h.deliver(callbackFor(payment, 'FAILURE'));
  const refunds = [];
  for (const [minute, payment, reason] of [
    [10, first, 'LATE_DELIVERY'],
    [11, third, 'LATE_DELIVERY'],
    [12, first, 'ORDER_NOT_PAYABLE'],
  ] as const) {
    const result = await h.service.payments.refund(newId(), { orderId: payment.orderId, paymentId: payment.id, amountCents: 100, reason }, at(minute));
    if (result.kind !== 'refunded') throw new Error(`The refund was not paid out: ${result.kind}.`);
    refunds.push({ id: result.refund.id, reason });
  }
  made = { paid: [first.id, third.id], failed: [second.id, fourth.id], pending: fifth.id, all: started.map((payment) => payment.id), refunds };
});

describe('searchPayments', () => {
  test('lists the payments of a time range newest first, paged without gaps or repeats', async () => {
    const pages = await allPages(async (after) => (await searchPayments({ filter: wholeWindow, first: 2, after })).data!.searchPayments);

    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((payment) => payment.id)).toEqual([...made.all].reverse());
  });

  test('filters by several statuses and by order, each combined with the range', async () => {
    const failedOrPending = await searchPayments({ filter: { ...wholeWindow, statuses: ['FAILED', 'PENDING'] } });
    expect(failedOrPending.data!.searchPayments.edges.map((edge) => edge.node.id)).toEqual([made.pending, made.failed[1], made.failed[0]]);

    const refunded = await searchPayments({ filter: { ...wholeWindow, statuses: ['PARTIALLY_REFUNDED'] } });
    expect(refunded.data!.searchPayments.edges.map((edge) => edge.node.id)).toEqual([made.paid[1], made.paid[0]]);

    const [payment] = (await searchPayments({ filter: { ...wholeWindow, statuses: ['FAILED'] }, first: 1 })).data!.searchPayments.edges;
    const byOrder = await searchPayments({ filter: { orderId: payment!.node.order.id } });
    expect(byOrder.data!.searchPayments.edges.map((edge) => edge.node)).toEqual([payment!.node]);
  });

  test('a range holding nothing gives an empty page without a cursor', async () => {
    const empty = await searchPayments({ filter: { createdFrom: at(30).toISOString(), createdTo: at(40).toISOString() } });
    expect(empty.data!.searchPayments).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});

describe('searchRefunds', () => {
  test('lists the refunds of a time range newest first, with their payment, filtered by reason and order', async () => {
    const pages = await allPages(async (after) => (await searchRefunds({ filter: wholeWindow, first: 2, after })).data!.searchRefunds);
    expect(pages.flat().map((refund) => refund.id)).toEqual(made.refunds.map((refund) => refund.id).reverse());

    const late = await searchRefunds({ filter: { ...wholeWindow, reasons: ['LATE_DELIVERY'] } });
    expect(late.data!.searchRefunds.edges.map((edge) => edge.node.id)).toEqual([made.refunds[1]!.id, made.refunds[0]!.id]);

    const [newest] = pages.flat();
    const byOrder = await searchRefunds({ filter: { orderId: newest!.orderId } });
    expect(byOrder.data!.searchRefunds.edges.map((edge) => [edge.node.reason, edge.node.payment.id])).toEqual([
      ['ORDER_NOT_PAYABLE', made.paid[0]],
      ['LATE_DELIVERY', made.paid[0]],
    ]);
  });
});

describe('staff searches refuse bad input and other roles', () => {
  test.each([
    ['an empty list of statuses', () => searchPayments({ filter: { statuses: [] } })],
    ['an empty list of reasons', () => searchRefunds({ filter: { reasons: [] } })],
    ['a range that ends before it starts', () => searchPayments({ filter: { createdFrom: at(5).toISOString(), createdTo: at(1).toISOString() } })],
    ['a page of 0', () => searchRefunds({ first: 0 })],
    ['a page of 101', () => searchPayments({ first: 101 })],
    ['a cursor this API never gave out', () => searchPayments({ after: 'not-a-cursor' })],
  ])('%s is refused with BAD_USER_INPUT', async (_name, search) => {
    const result = await search();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  test('customers, merchants and riders get FORBIDDEN, a caller without a token UNAUTHENTICATED; ADMIN is served', async () => {
    for (const caller of [aCustomer(), { sub: `merchant-${newId()}`, roles: ['MERCHANT'] }, { sub: `rider-${newId()}`, roles: ['RIDER'] }] as Identity[]) {
      expect((await searchPayments({}, caller)).errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect((await searchRefunds({}, caller)).errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect((await searchPayments({}, null)).errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect((await searchRefunds({}, null)).errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect((await searchRefunds({ filter: wholeWindow }, { sub: `admin-${newId()}`, roles: ['ADMIN'] })).data?.searchRefunds.edges).toHaveLength(3);
  });
});
