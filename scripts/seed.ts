import { parseArgs } from 'node:util';
import { authConfig, mintToken, servicePortsConfig, type Role } from '@waimai/platform';
import { configOrExit, loadDotEnv, messageOf, scriptLog, type ScriptLog } from './lib/script-env';

/** People's Square (人民广场), Shanghai: the middle of the demo city. */
export const DEMO_CENTER = { lat: 31.2304, lng: 121.4737 } as const;

interface DemoDish {
  name: string;
  description: string;
  priceCents: number;
  stock: number;
}

interface DemoMerchant {
  name: string;
  address: string;
  location: { lat: number; lng: number };
  dishes: DemoDish[];
}

/** Three shops within about 1 km of People's Square; prices in cents (分). */
export const DEMO_MERCHANTS: readonly DemoMerchant[] = [
  {
    name: '人民广场小笼馆',
    address: '上海市黄浦区西藏中路 120 号',
    location: { lat: 31.2321, lng: 121.4762 },
    dishes: [
      { name: '鲜肉小笼包（8只）', description: '现包现蒸，皮薄汤多', priceCents: 2800, stock: 200 },
      { name: '蟹粉小笼包（6只）', description: '秋季限定蟹粉', priceCents: 4800, stock: 80 },
      { name: '鲜肉生煎（4只）', description: '底脆肉鲜，撒芝麻葱花', priceCents: 1800, stock: 150 },
      { name: '咖喱牛肉粉丝汤', description: '上海老味道', priceCents: 1600, stock: 120 },
      { name: '酒酿圆子', description: '甜口，温热', priceCents: 1200, stock: 100 },
    ],
  },
  {
    name: '黄河路本帮菜',
    address: '上海市黄浦区黄河路 88 号',
    location: { lat: 31.2347, lng: 121.4705 },
    dishes: [
      { name: '红烧肉', description: '浓油赤酱，肥而不腻', priceCents: 5800, stock: 60 },
      { name: '油爆虾', description: '外脆里嫩，甜咸适中', priceCents: 6800, stock: 40 },
      { name: '腌笃鲜', description: '咸肉、鲜肉、春笋慢炖', priceCents: 4800, stock: 50 },
      { name: '糖醋小排', description: '酸甜开胃', priceCents: 4200, stock: 60 },
      { name: '清炒河虾仁', description: '现剥河虾', priceCents: 7800, stock: 30 },
      { name: '葱油拌面', description: '开洋葱油，拌匀即食', priceCents: 1500, stock: 150 },
    ],
  },
  {
    name: '云南南路面馆',
    address: '上海市黄浦区云南南路 56 号',
    location: { lat: 31.2286, lng: 121.4801 },
    dishes: [
      { name: '大排面', description: '现炸猪大排，红汤面', priceCents: 2600, stock: 120 },
      { name: '黄鱼面', description: '雪菜黄鱼', priceCents: 3800, stock: 60 },
      { name: '辣肉面', description: '微辣浇头', priceCents: 2200, stock: 100 },
      { name: '三鲜馄饨', description: '荠菜、鲜肉、虾仁', priceCents: 1800, stock: 100 },
    ],
  },
];

/** Five riders spread around the square, a few hundred meters apart. */
export const DEMO_RIDERS = [
  { sub: 'demo-rider-1', name: '王师傅', phone: '+8613800000001', vehicle: '电动车', location: { lat: 31.2311, lng: 121.4745 } },
  { sub: 'demo-rider-2', name: '李师傅', phone: '+8613800000002', vehicle: '电动车', location: { lat: 31.2332, lng: 121.4718 } },
  { sub: 'demo-rider-3', name: '张师傅', phone: '+8613800000003', vehicle: '摩托车', location: { lat: 31.2289, lng: 121.4772 } },
  { sub: 'demo-rider-4', name: '刘师傅', phone: '+8613800000004', vehicle: '电动车', location: { lat: 31.2275, lng: 121.4709 } },
  { sub: 'demo-rider-5', name: '陈师傅', phone: '+8613800000005', vehicle: '自行车', location: { lat: 31.2350, lng: 121.4780 } },
] as const;

/** The demo users; a token for each is printed at the end. The merchant owns all three shops. */
export const DEMO_USERS = {
  customer: { sub: 'demo-customer', roles: ['CUSTOMER'] },
  merchant: { sub: 'demo-merchant', roles: ['MERCHANT'] },
  rider: { sub: 'demo-rider-1', roles: ['RIDER'] },
  // Back office: operations staff step into orders, riders and shops; admins also manage menus.
  operator: { sub: 'demo-operator', roles: ['OPERATOR'] },
  admin: { sub: 'demo-admin', roles: ['ADMIN'] },
} as const satisfies Record<string, { sub: string; roles: readonly Role[] }>;

export type DemoTokens = Record<keyof typeof DEMO_USERS, string>;

export interface SeedResult {
  /** False when the demo shops were already there (nothing was created). */
  createdMerchants: boolean;
  merchants: Array<{ id: string; name: string }>;
  /** How many riders are online at their demo spot, or why riders were skipped. */
  riders: { online: number } | { skipped: string };
  /** The demo city's sponsored placement (one, for the last demo shop), and whether this run bought it. */
  ad: { placementId: string; created: boolean };
  /** The demo city's running campaign (a platform-funded 满30减5 around the square), and whether this run created it. */
  campaign: { campaignId: string; created: boolean };
  tokens: DemoTokens;
}

class GraphQLRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: Array<{ message: string; code?: string }>,
  ) {
    super(`${operation}: ${errors.map((error) => (error.code ? `${error.code}: ${error.message}` : error.message)).join('; ')}`);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

function graphqlClient(url: string) {
  return async function request<T>(operation: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: GraphQLBody<T>;
    try {
      body = JSON.parse(text) as GraphQLBody<T>;
    } catch {
      throw new GraphQLRequestError(operation, [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }]);
    }
    if (body.errors?.length || !body.data) {
      const errors = body.errors?.map((error) => ({ message: error.message, code: error.extensions?.code })) ?? [];
      throw new GraphQLRequestError(operation, errors.length ? errors : [{ message: `HTTP ${response.status} without data` }]);
    }
    return body.data;
  };
}

const NEARBY = /* GraphQL */ `
  query SeedNearbyMerchants($near: GeoPointInput!, $first: Int) {
    merchantsNearby(near: $near, first: $first) { merchant { id name } }
  }
`;
const OPEN_MERCHANT = /* GraphQL */ `
  mutation SeedOpenMerchant($input: CreateMerchantInput!) {
    createMerchant(input: $input) { id name }
  }
`;
const PUBLISH_PRODUCT = /* GraphQL */ `
  mutation SeedPublishProduct($input: PublishProductInput!) {
    publishProduct(input: $input) { id }
  }
`;
const REGISTER_RIDER = /* GraphQL */ `
  mutation SeedRegisterRider($input: RegisterRiderInput!) {
    registerRider(input: $input) { id status }
  }
`;
const GO_ONLINE = /* GraphQL */ `
  mutation SeedGoOnline { goOnline { id status } }
`;
const REPORT_LOCATION = /* GraphQL */ `
  mutation SeedReportLocation($location: GeoPointInput!) { reportLocation(location: $location) }
`;

/**
 * Seeds the demo city through the public API of the gateway at `gatewayUrl`
 * (…/graphql): three shops around People's Square with their menus, five riders online
 * nearby, a sponsored shop and a running spend-and-save campaign. Idempotent: shops that
 * already exist (by name, near the square) are left alone; riders are registered again (the
 * API returns the same rider) and their locations refreshed; the ad and the campaign are
 * created only when none is running.
 */
export async function seedDemoCity(gatewayUrl: string, jwtSecret: string, log: ScriptLog = scriptLog('seed')): Promise<SeedResult> {
  const request = graphqlClient(gatewayUrl);
  const token = (user: { sub: string; roles: readonly Role[] }) => mintToken(jwtSecret, user, '12h');
  const tokens: DemoTokens = {
    customer: await token(DEMO_USERS.customer),
    merchant: await token(DEMO_USERS.merchant),
    rider: await token(DEMO_USERS.rider),
    operator: await token(DEMO_USERS.operator),
    admin: await token(DEMO_USERS.admin),
  };

  const nearby = await request<{ merchantsNearby: Array<{ merchant: { id: string; name: string } }> }>(
    'merchantsNearby',
    NEARBY,
    { near: DEMO_CENTER, first: 100 },
  );
  const existing = new Map(nearby.merchantsNearby.map(({ merchant }) => [merchant.name, merchant]));
  const merchants: Array<{ id: string; name: string }> = [];
  let createdMerchants = false;
  for (const demo of DEMO_MERCHANTS) {
    const found = existing.get(demo.name);
    if (found) {
      merchants.push(found);
      continue;
    }
    const { createMerchant } = await request<{ createMerchant: { id: string; name: string } }>(
      'createMerchant',
      OPEN_MERCHANT,
      { input: { name: demo.name, address: demo.address, location: demo.location, deliveryRadiusMeters: 5000 } },
      tokens.merchant,
    );
    for (const dish of demo.dishes) {
      await request('publishProduct', PUBLISH_PRODUCT, { input: { merchantId: createMerchant.id, ...dish } }, tokens.merchant);
    }
    merchants.push(createMerchant);
    createdMerchants = true;
    log.info(`Opened ${demo.name} with ${demo.dishes.length} dishes.`);
  }
  if (!createdMerchants) log.info('The demo shops are already there; nothing to add.');

  const riders = await seedRiders(request, jwtSecret, log);
  const ad = await seedAd(request, tokens, merchants[merchants.length - 1]!, log);
  const campaign = await seedCampaign(request, tokens, log);
  return { createdMerchants, merchants, riders, ad, campaign, tokens };
}

/** The demo city's campaign, by its title: what `pnpm seed` looks for before creating another. */
const DEMO_CAMPAIGN_TITLE = '人民广场满30减5';
const RUNNING_CAMPAIGNS = /* GraphQL */ `
  query SeedCampaigns($filter: CampaignFilter) { campaigns(filter: $filter, first: 100) { edges { node { id title } } } }
`;
const CREATE_CAMPAIGN = /* GraphQL */ `
  mutation SeedCreateCampaign($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }
`;

/**
 * One running campaign in the demo city: 5 yuan off baskets of 30 yuan delivered within 5 km
 * of the square, for 30 days, paid by the platform (1000 yuan budget), combining with coupons;
 * created by the demo operator. Idempotent: an ACTIVE campaign of that title is left as it is.
 */
async function seedCampaign(request: ReturnType<typeof graphqlClient>, tokens: DemoTokens, log: ScriptLog): Promise<SeedResult['campaign']> {
  const { campaigns } = await request<{ campaigns: { edges: Array<{ node: { id: string; title: string } }> } }>(
    'campaigns',
    RUNNING_CAMPAIGNS,
    { filter: { statuses: ['ACTIVE'], kinds: ['SPEND_AND_SAVE'], fundedBy: 'PLATFORM' } },
    tokens.operator,
  );
  const running = campaigns.edges.find((edge) => edge.node.title === DEMO_CAMPAIGN_TITLE)?.node;
  if (running) return { campaignId: running.id, created: false };
  const startsAt = new Date();
  const { createCampaign } = await request<{ createCampaign: { id: string } }>(
    'createCampaign',
    CREATE_CAMPAIGN,
    {
      input: {
        kind: 'SPEND_AND_SAVE',
        title: DEMO_CAMPAIGN_TITLE,
        fundedBy: 'PLATFORM',
        area: { center: DEMO_CENTER, radiusMeters: 5000 },
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 30 * 86_400_000).toISOString(),
        budgetCents: 100_000,
        thresholdCents: 3000,
        offCents: 500,
        stacksWith: ['COUPON'],
      },
    },
    tokens.operator,
  );
  log.info(`Started the campaign ${DEMO_CAMPAIGN_TITLE} around People's Square.`);
  return { campaignId: createCampaign.id, created: true };
}

const MY_AD_PLACEMENTS = /* GraphQL */ `
  query SeedAdPlacements($filter: AdPlacementFilter) { adPlacements(filter: $filter, first: 1) { edges { node { id } } } }
`;
const BUY_AD_PLACEMENT = /* GraphQL */ `
  mutation SeedBuyAdPlacement($input: BuyAdPlacementInput!) { buyAdPlacement(input: $input) { id } }
`;

/**
 * One running ad in the demo city: the shop sponsored within 3 km of the square for 30 days,
 * 50 cents a click up to 50 yuan a day, bought by its merchant. Idempotent: an ACTIVE placement
 * of the shop is left as it is.
 */
async function seedAd(request: ReturnType<typeof graphqlClient>, tokens: DemoTokens, shop: { id: string; name: string }, log: ScriptLog): Promise<SeedResult['ad']> {
  const { adPlacements } = await request<{ adPlacements: { edges: Array<{ node: { id: string } }> } }>(
    'adPlacements',
    MY_AD_PLACEMENTS,
    { filter: { merchantId: shop.id, status: 'ACTIVE' } },
    tokens.merchant,
  );
  const running = adPlacements.edges[0]?.node;
  if (running) return { placementId: running.id, created: false };
  const startsAt = new Date();
  const { buyAdPlacement } = await request<{ buyAdPlacement: { id: string } }>(
    'buyAdPlacement',
    BUY_AD_PLACEMENT,
    {
      input: {
        merchantId: shop.id,
        center: DEMO_CENTER,
        radiusMeters: 3000,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 30 * 86_400_000).toISOString(),
        dailyBudgetCents: 5000,
        cpcCents: 50,
      },
    },
    tokens.merchant,
  );
  log.info(`Bought a sponsored placement for ${shop.name}.`);
  return { placementId: buyAdPlacement.id, created: true };
}

async function seedRiders(
  request: ReturnType<typeof graphqlClient>,
  jwtSecret: string,
  log: ScriptLog,
): Promise<SeedResult['riders']> {
  let online = 0;
  for (const [index, rider] of DEMO_RIDERS.entries()) {
    const riderToken = await mintToken(jwtSecret, { sub: rider.sub, roles: ['RIDER'] }, '12h');
    try {
      // registerRider returns the same rider when it is registered already.
      await request('registerRider', REGISTER_RIDER, { input: { name: rider.name, phone: rider.phone, vehicle: rider.vehicle } }, riderToken);
      await request('goOnline', GO_ONLINE, {}, riderToken).catch((err: unknown) => {
        // Already online (or out delivering): the rider is working either way.
        const already = err instanceof GraphQLRequestError && err.errors.every((error) => error.code === 'INVALID_STATE_TRANSITION');
        if (!already) throw err;
      });
      await request('reportLocation', REPORT_LOCATION, { location: rider.location }, riderToken);
      online += 1;
    } catch (err) {
      const reason = messageOf(err);
      if (index === 0) {
        // The riders service is not there (yet) or refuses: the shops are useful without riders.
        log.warn(`Riders skipped: ${reason}`);
        return { skipped: reason };
      }
      log.warn(`Rider ${rider.sub} skipped: ${reason}`);
    }
  }
  log.info(`${online} riders are online around People's Square; they drop out after RIDER_LOCATION_TTL_SECONDS without a new location (\`pnpm seed\` again refreshes them).`);
  return { online };
}

/** The demo tokens as lines for a person to copy. */
export function describeTokens(tokens: DemoTokens): string {
  return (Object.keys(DEMO_USERS) as Array<keyof typeof DEMO_USERS>)
    .map((who) => `  ${who.padEnd(9)}${DEMO_USERS[who].sub.padEnd(15)} ${tokens[who]}`)
    .join('\n');
}

async function main(): Promise<void> {
  loadDotEnv();
  const log = scriptLog('seed');
  const config = configOrExit(authConfig.extend(servicePortsConfig.shape), log);
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { url: { type: 'string', default: `http://127.0.0.1:${config.GATEWAY_PORT}/graphql` } },
  });
  const gatewayUrl = values.url;
  const result = await seedDemoCity(gatewayUrl, config.JWT_SECRET, log);
  process.stdout.write(
    [
      `Demo city at People's Square (${DEMO_CENTER.lat}, ${DEMO_CENTER.lng}):`,
      ...result.merchants.map((merchant) => `  ${merchant.name}  ${merchant.id}`),
      'online' in result.riders ? `  ${result.riders.online} riders online` : `  riders skipped (${result.riders.skipped})`,
      `  ad placement ${result.ad.placementId}${result.ad.created ? ' (bought now)' : ''}`,
      `  campaign ${result.campaign.campaignId}${result.campaign.created ? ' (started now)' : ''}`,
      '',
      'Demo tokens (valid 12 h; send as Authorization: Bearer <token>):',
      describeTokens(result.tokens),
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    scriptLog('seed').error(`${messageOf(err)} (is the gateway running? \`pnpm start\` starts everything; --url names another gateway)`);
    process.exit(1);
  });
}
