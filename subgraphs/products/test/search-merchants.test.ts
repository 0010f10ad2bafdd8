import { newId, type Identity } from '@waimai/platform';
import { north, openMerchant } from '@waimai/testkit';
import { aMerchant, merchantOwner, somewhere, startProducts, type ProductsHarness } from './harness';

let h: ProductsHarness;
beforeAll(async () => {
  h = await startProducts();
});
afterAll(async () => {
  await h.stop();
});

const operator: Identity = { sub: 'operator-9', roles: ['OPERATOR'] };
const admin: Identity = { sub: 'admin-9', roles: ['ADMIN'] };

const SEARCH = `query($filter: MerchantSearchFilter, $first: Int, $after: String) {
  searchMerchants(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id name createdAt suspended } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Found {
  id: string;
  name: string;
  createdAt: string;
  suspended: boolean;
}
interface SearchResult {
  searchMerchants: { edges: Array<{ cursor: string; node: Found }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const search = (filter: Record<string, unknown> | null, first?: number, after?: string | null, caller: Identity | null = operator) =>
  h.call<SearchResult>(SEARCH, { filter, first, after }, caller);

/** Every page of a search, followed through its cursors. */
async function allPages(filter: Record<string, unknown>, first: number, caller: Identity = operator): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const result: SearchResult = (await search(filter, first, after, caller)).data!;
    pages += 1;
    ids.push(...result.searchMerchants.edges.map((edge) => edge.node.id));
    if (!result.searchMerchants.pageInfo.hasNextPage) return { ids, pages };
    after = result.searchMerchants.pageInfo.endCursor;
  }
}

/** Shops with `word` in their name, each opened by its own owner, in creation order. */
async function shopsNamed(word: string, count: number, location = somewhere()) {
  const shops = [];
  for (let i = 0; i < count; i += 1) {
    const name = count === 1 ? word : `${word}-${i}`;
    shops.push(await openMerchant(h.call, merchantOwner(), { name, location: north(location, i * 10) }));
  }
  return shops;
}

describe('searchMerchants', () => {
  test('customers, merchants and riders are FORBIDDEN, anonymous callers UNAUTHENTICATED; OPERATOR and ADMIN get a page', async () => {
    const codes = [];
    for (const caller of [null, { sub: 'c', roles: ['CUSTOMER'] }, merchantOwner(), { sub: 'r', roles: ['RIDER'] }] as Array<Identity | null>) {
      codes.push((await search(null, 5, null, caller)).errors?.[0]?.extensions?.code);
    }
    const byOperator = await search(null, 5, null, operator);
    const byAdmin = await search(null, 5, null, admin);

    expect(codes).toEqual(['UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(byOperator.errors).toBeUndefined();
    expect(byAdmin.errors).toBeUndefined();
  });

  test('pages follow creation newest first, ties by id, each shop exactly once across pages', async () => {
    const word = `paging${newId().slice(0, 8)}`;
    const shops = await shopsNamed(word, 7);

    const { ids, pages } = await allPages({ nameContains: word }, 3);
    const everything = (await search({ nameContains: word }, 100)).data!.searchMerchants.edges.map((edge) => edge.node);
    const expected = [...everything].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0)).map((shop) => shop.id);

    expect(new Set(ids)).toEqual(new Set(shops.map((shop) => shop.id)));
    expect(ids).toEqual(expected);
    expect(ids).toHaveLength(7);
    expect(pages).toBe(3);
  });

  test('nameContains ignores case and takes % and _ literally', async () => {
    const word = `Case${newId().slice(0, 8)}`;
    const [plain] = await shopsNamed(word, 1);
    const [percent] = await shopsNamed(`${word}%_off`, 1);

    const lower = await allPages({ nameContains: word.toLowerCase() }, 10);
    const literal = await allPages({ nameContains: `${word}%_` }, 10);
    const wildcardOnly = await allPages({ nameContains: '%_%' }, 100);

    expect(new Set(lower.ids)).toEqual(new Set([plain!.id, percent!.id]));
    expect(literal.ids).toEqual([percent!.id]);
    expect(wildcardOnly.ids).not.toContain(plain!.id);
  });

  test('suspended filters active or suspended shops, and combines with the name', async () => {
    const word = `status${newId().slice(0, 8)}`;
    const [active, suspended] = await shopsNamed(word, 2);
    await h.call('mutation($id: ID!) { suspendMerchant(merchantId: $id, reason: "checks") { id } }', { id: suspended!.id }, operator);

    const onlySuspended = await allPages({ nameContains: word, suspended: true }, 10);
    const onlyActive = await allPages({ nameContains: word, suspended: false }, 10);
    const both = await allPages({ nameContains: word }, 10);

    expect(onlySuspended.ids).toEqual([suspended!.id]);
    expect(onlyActive.ids).toEqual([active!.id]);
    expect(both.ids).toEqual([suspended!.id, active!.id]);
    expect((await search({ suspended: true, nameContains: word }, 10)).data!.searchMerchants.edges[0]!.node.suspended).toBe(true);
  });

  test('near and radiusMeters keep the shops within that great-circle distance, suspended ones included', async () => {
    const centre = somewhere();
    const close = await aMerchant(h, merchantOwner(), north(centre, 300));
    const edge = await aMerchant(h, merchantOwner(), north(centre, 950));
    const outside = await aMerchant(h, merchantOwner(), north(centre, 1_100));
    await h.call('mutation($id: ID!) { suspendMerchant(merchantId: $id, reason: "checks") { id } }', { id: close.id }, admin);

    const within = await allPages({ near: centre, radiusMeters: 1_000 }, 10);
    const suspendedWithin = await allPages({ near: centre, radiusMeters: 1_000, suspended: true }, 10);

    expect(new Set(within.ids)).toEqual(new Set([close.id, edge.id]));
    expect(within.ids).not.toContain(outside.id);
    expect(suspendedWithin.ids).toEqual([close.id]);
  });

  test('a filter that does not hold together, a bad page size or a foreign cursor is BAD_USER_INPUT naming the field', async () => {
    const cases: Array<[Record<string, unknown> | null, number | undefined, string | null]> = [
      [{ near: somewhere() }, 10, null],
      [{ radiusMeters: 500 }, 10, null],
      [{ near: somewhere(), radiusMeters: 50_001 }, 10, null],
      [{ near: { lat: 91, lng: 0 }, radiusMeters: 10 }, 10, null],
      [{ nameContains: '  ' }, 10, null],
      [{ nameContains: 'x'.repeat(101) }, 10, null],
      [null, 0, null],
      [null, 101, null],
      [null, 10, 'not-a-cursor'],
    ];
    const outcomes = [];
    for (const [filter, first, after] of cases) {
      const result = await search(filter, first, after);
      outcomes.push({ code: result.errors?.[0]?.extensions?.code, fields: (result.errors?.[0]?.extensions?.problems as Array<{ field: string }> | undefined)?.map((p) => p.field) });
    }

    expect(outcomes).toEqual([
      { code: 'BAD_USER_INPUT', fields: ['filter.radiusMeters'] },
      { code: 'BAD_USER_INPUT', fields: ['filter.near'] },
      { code: 'BAD_USER_INPUT', fields: ['filter.radiusMeters'] },
      { code: 'BAD_USER_INPUT', fields: ['filter.near.lat'] },
      { code: 'BAD_USER_INPUT', fields: ['filter.nameContains'] },
      { code: 'BAD_USER_INPUT', fields: ['filter.nameContains'] },
      { code: 'BAD_USER_INPUT', fields: ['first'] },
      { code: 'BAD_USER_INPUT', fields: ['first'] },
      { code: 'BAD_USER_INPUT', fields: ['after'] },
    ]);
  });
});
