import { newId, type Identity, type Role } from '@waimai/platform';
import { gql, tokenFor } from './client';
import type { Stack } from './stack';

/** A test user: its identity and a token for it. */
export interface Actor extends Identity {
  token: string;
}

export async function anActor(role: Role, sub = `${role.toLowerCase()}-${newId()}`): Promise<Actor> {
  return { sub, roles: [role], token: await tokenFor(sub, [role]) };
}

let corner = 0;
/**
 * A point in its own corner of the map (land or sea does not matter): the tests of one run,
 * and of runs side by side, never find each other's shops or riders.
 */
export function aPlace(): { lat: number; lng: number } {
  corner += 1;
  const seed = (process.pid * 7919 + corner * 104_729 + Date.now()) % 1_000_000;
  return { lat: -60 + (seed % 1200) / 10, lng: -170 + (Math.floor(seed / 1200) % 3400) / 10 };
}

/** A point `meters` north of `point`. */
export function north(point: { lat: number; lng: number }, meters: number) {
  return { lat: point.lat + meters / 111_195, lng: point.lng };
}

async function ok<T>(promise: Promise<{ data?: T | null; errors?: unknown[] }>): Promise<T> {
  const result = await promise;
  if (!result.data || result.errors?.length) throw new Error(`seed call failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

export interface SeededMerchant<Owner extends Identity = Actor> {
  id: string;
  name: string;
  location: { lat: number; lng: number };
  owner: Owner;
  products: Array<{ id: string; name: string; priceCents: number }>;
}

/** One GraphQL operation sent as `owner`: through the gateway with its token, or to the products subgraph with a signed identity. */
export type SeedCall<Owner extends Identity> = <T>(query: string, variables: Record<string, unknown>, owner: Owner) => Promise<{ data?: T | null; errors?: unknown[] }>;

export interface MerchantOptions {
  menu?: Array<{ name: string; priceCents: number; stock: number }>;
  location?: { lat: number; lng: number };
  name?: string;
  address?: string;
  /** Omitted: the schema's default radius. */
  deliveryRadiusMeters?: number;
}

/**
 * The one way tests open a shop: createMerchant as `owner`, then publishProduct for each dish
 * of the menu (none by default), through whatever `call` reaches products.
 */
export async function openMerchant<Owner extends Identity>(call: SeedCall<Owner>, owner: Owner, options: MerchantOptions = {}): Promise<SeededMerchant<Owner>> {
  const name = options.name ?? `小馆-${newId().slice(-6)}`;
  const location = options.location ?? aPlace();
  const { createMerchant } = await ok(
    call<{ createMerchant: { id: string } }>(
      'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
      { input: { name, address: options.address ?? '测试路1号', location, deliveryRadiusMeters: options.deliveryRadiusMeters } },
      owner,
    ),
  );
  const products = [];
  for (const dish of options.menu ?? []) {
    const { publishProduct } = await ok(
      call<{ publishProduct: { id: string } }>(
        'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
        { input: { merchantId: createMerchant.id, ...dish } },
        owner,
      ),
    );
    products.push({ id: publishProduct.id, name: dish.name, priceCents: dish.priceCents });
  }
  return { id: createMerchant.id, name, location, owner, products };
}

/** A merchant with a menu, opened and published through the gateway as a merchant would. */
export async function aMerchant(
  stack: Pick<Stack, 'graphqlUrl'>,
  menu: Array<{ name: string; priceCents: number; stock: number }> = [{ name: '黄焖鸡米饭', priceCents: 2500, stock: 100 }],
  location = aPlace(),
): Promise<SeededMerchant> {
  const owner = await anActor('MERCHANT');
  const viaGateway: SeedCall<Actor> = (query, variables, caller) => gql(stack.graphqlUrl, query, variables, caller.token);
  return openMerchant(viaGateway, owner, { menu, location, deliveryRadiusMeters: 5000 });
}

export interface SeededOrder {
  id: string;
  totalCents: number;
  customer: Actor;
}

/** An order of one of each product, placed by a new customer 500 m from the merchant. */
export async function anOrder(stack: Pick<Stack, 'graphqlUrl'>, merchant: SeededMerchant, customer?: Actor): Promise<SeededOrder> {
  const buyer = customer ?? (await anActor('CUSTOMER'));
  const { createOrder } = await ok(
    gql<{ createOrder: { id: string; totalCents: number } }>(
      stack.graphqlUrl,
      'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id totalCents } }',
      {
        input: {
          items: merchant.products.map((product) => ({ productId: product.id, quantity: 1 })),
          deliveryAddress: '人民路100号',
          deliveryLocation: north(merchant.location, 500),
        },
      },
      buyer.token,
    ),
  );
  return { id: createOrder.id, totalCents: createOrder.totalCents, customer: buyer };
}
