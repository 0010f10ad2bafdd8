import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  isCompositeType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { kafkaConfig, type Role } from '@waimai/platform';
import {
  aMerchant,
  anActor,
  anOrder,
  aRiderAt,
  eventually,
  north,
  rowCountChanges,
  rowCounts,
  startStack,
  type Actor,
  type RowCounts,
  type SeededMerchant,
  type Stack,
} from '@waimai/testkit';

/*
 * Schema-driven fuzzing of every mutation of the running gateway's API schema: generated
 * arguments (wrong types, boundary numbers, hostile strings, huge lists, missing and extra
 * fields, nulls), sent as variables or inline literals, over HTTP, mostly with a token of
 * the role the mutation's description names. What must hold: no HTTP 5xx, no
 * INTERNAL_SERVER_ERROR anywhere, and a batch in which every request was refused leaves the
 * row count of every table of every service unchanged.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_714);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const CONCURRENCY = 16;
const BATCH = 40;
// 10 min: on 2 cores 10,000 requests take 2–3 minutes (about 70 per second), up to twice that
// when the machine is busy with other work; this only bounds a stall.
const TIME_LIMIT_MS = 600_000;
// A rate limiter, when the gateway has one, must not refuse the fuzzer's floods.
const UNLIMITED = '100000000/1';
const GATEWAY_BUDGETS = Object.fromEntries(
  ['ANONYMOUS', 'AUTHENTICATED', 'EXPENSIVE', 'LOCATION', 'WS_CONNECT', 'WS_SUBSCRIBE', 'WEBHOOK'].map((name) => [`RATE_LIMIT_${name}`, UNLIMITED]),
);

/** mulberry32: a small PRNG whose sequence depends only on the seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

/** Text every text input must refuse: unsafe characters (issue 7) or far over any length limit. */
const INVALID_STRINGS: readonly string[] = [
  'a'.repeat(10_000),
  '😀'.repeat(5_000),
  'x\u0000y',
  '\u0000',
  '\uD800',
  'abc\uDC00',
  '\uDBFF\uDFFF\uD800',
  '\u202Eevil.exe',
  '\u2066isolate\u2069',
  'zero\u200Bwidth',
  '\uFEFFbom',
  '\u0007bell\u001B[31m',
  '\u0085next line',
];

/** Odd text that may well be valid: it must be stored as sent or refused, never crash anything. */
const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n',
  'a'.repeat(101),
  'a'.repeat(301),
  '名'.repeat(1001),
  "'; DROP TABLE orders; --",
  "1' OR '1'='1",
  '" OR ""="',
  '\\',
  '%00%27',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '😀🍜🛵',
  'مرحبا بالعالم',
  'שלום',
  'e\u0301',
  'null',
  'undefined',
  '0',
  '-1',
  'NaN',
  '__proto__',
  'constructor',
];

/** Ints no Int argument accepts: outside 32 bits, fractional, or not numbers at all. */
const INVALID_INTS: readonly unknown[] = [2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 1.5, 'NaN', 'Infinity', '1', true, -1, -2_147_483_648];
const ODD_INTS: readonly unknown[] = [0, 1, -0, 99, 100, 101, 50_000, 50_001, 1_000_000, 10_000_000, 10_000_001, 2_147_483_647];
/** Floats no coordinate accepts (every Float input is a latitude or longitude). */
const INVALID_FLOATS: readonly unknown[] = [1e308, -1e308, 2 ** 53, 'NaN', '-Infinity', '45', false];
const INVALID_LATITUDES: readonly unknown[] = [90.000001, -90.000001, 180];
const INVALID_LONGITUDES: readonly unknown[] = [180.000001, -180.000001, 360];
const ODD_FLOATS: readonly unknown[] = [0, -90, 90, 180, -180, 5e-324, -0];

const brief = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** An enum value: a string in variables, a bare name in an inline literal. */
class EnumValue {
  constructor(readonly name: string) {}
}
/** An input object field or argument left out. */
const MISSING = Symbol('missing');

interface Pools {
  merchantIds: string[];
  productIds: string[];
  orderIds: string[];
  near: { lat: number; lng: number };
}

const JUNK_IDS = ['', 'does-not-exist', '0', '-1', '01HZZZZZZZZZZZZZZZZZZZZZZZ', "1' OR 1=1 --", 'a'.repeat(65), '\u0000', '../../etc/passwd'];

function idFor(name: string, pools: Pools, rng: Rng): string {
  const pool = /merchant/i.test(name) ? pools.merchantIds : /product/i.test(name) ? pools.productIds : /order/i.test(name) ? pools.orderIds : [];
  return pool.length && rng.chance(0.85) ? rng.pick(pool) : rng.pick(JUNK_IDS);
}

/** A value the field would plausibly accept, chosen by type and name. */
function plausible(type: GraphQLInputType, name: string, pools: Pools, rng: Rng): unknown {
  if (type instanceof GraphQLNonNull) return plausible(type.ofType, name, pools, rng);
  if (type instanceof GraphQLList) return Array.from({ length: 1 + rng.int(2) }, () => plausible(type.ofType, name, pools, rng));
  if (type instanceof GraphQLEnumType) return new EnumValue(rng.pick(type.getValues()).name);
  if (type instanceof GraphQLInputObjectType) {
    if (/location|near/i.test(name)) return { ...north(pools.near, rng.int(800)) };
    const fields: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (!(field.type instanceof GraphQLNonNull) && rng.chance(0.3)) continue;
      fields[field.name] = plausible(field.type, field.name, pools, rng);
    }
    return fields;
  }
  const scalar = (type as GraphQLScalarType).name;
  if (scalar === 'ID') return idFor(name, pools, rng);
  if (scalar === 'Int') return /quantity/i.test(name) ? 1 + rng.int(3) : /radius/i.test(name) ? 1000 + rng.int(4000) : rng.int(500);
  if (scalar === 'Float') return /lat/i.test(name) ? pools.near.lat : /lng/i.test(name) ? pools.near.lng : rng.next() * 10;
  if (scalar === 'Boolean') return rng.chance(0.5);
  if (/phone/i.test(name)) return `138${String(rng.int(1e8)).padStart(8, '0')}`;
  return `${name}-${rng.int(1e6)}`;
}

/**
 * Something odd for a position of `type`. `invalid` ones must be refused whatever else the
 * request holds (wrong type, null or missing where required, unknown fields, unsafe or
 * oversized text, numbers out of range, too many lines); the others may be accepted.
 */
function hostile(type: GraphQLInputType, name: string, pools: Pools, rng: Rng, invalid: boolean): unknown {
  const named = getNamedType(type);
  const required = type instanceof GraphQLNonNull;
  if (invalid) {
    const roll = rng.int(10);
    if (roll === 0 && required) return null;
    if (roll === 1 && required) return MISSING;
    if (roll === 2) return named instanceof GraphQLInputObjectType ? rng.pick<unknown>(['text', 42, [1, 2]]) : rng.pick<unknown>([{ unexpected: 1 }, [{ a: 1 }]]);
    if (roll === 3 && required && type.ofType instanceof GraphQLList) {
      // Too many lines (the cap is 50), or none.
      const length = rng.pick([0, 51, 200, 1_000, 2_500]);
      const item = plausible(type.ofType.ofType, name, pools, rng);
      return Array.from({ length }, () => item);
    }
    if (named instanceof GraphQLEnumType) return rng.pick<unknown>([new EnumValue('DELETED'), new EnumValue(named.getValues()[0]!.name.toLowerCase()), 'BOGUS']);
    if (named instanceof GraphQLInputObjectType) {
      // An unknown field (on the first line when it is a list of objects).
      const value = plausible(type, name, pools, rng);
      const target = (Array.isArray(value) ? value[0] : value) as Record<string, unknown>;
      target[rng.pick(['extra', '__typename', 'id', 'ownerId', 'status'])] = rng.pick<unknown>([1, 'x', null]);
      return value;
    }
    if (named.name === 'Int') return rng.pick(INVALID_INTS);
    if (named.name === 'Float') return rng.chance(0.5) ? rng.pick(INVALID_FLOATS) : rng.pick(/lat/i.test(name) ? INVALID_LATITUDES : INVALID_LONGITUDES);
    if (named.name === 'Boolean') return rng.pick<unknown>(['true', 0, {}]);
    return rng.chance(0.85) ? rng.pick(INVALID_STRINGS) : rng.pick<unknown>([{ a: 1 }, 1.5, false]);
  }
  if (rng.chance(0.1) && !required) return rng.pick<unknown>([null, MISSING]);
  if (named instanceof GraphQLEnumType || named instanceof GraphQLInputObjectType) return plausible(type, name, pools, rng);
  if (named.name === 'Int') return rng.pick(ODD_INTS);
  if (named.name === 'Float') return rng.pick(ODD_FLOATS);
  if (named.name === 'Boolean') return rng.chance(0.5);
  if (named.name === 'ID') return rng.chance(0.5) ? rng.pick(JUNK_IDS) : rng.pick(ODD_STRINGS);
  return rng.pick(ODD_STRINGS);
}

/** Every position in a value tree that a mutation can replace: [container, key, type, name]. */
type Slot = { container: Record<string, unknown> | unknown[]; key: string | number; type: GraphQLInputType; name: string };
function slotsOf(value: unknown, type: GraphQLInputType, name: string, into: Slot[]): void {
  const inner = type instanceof GraphQLNonNull ? type.ofType : type;
  if (inner instanceof GraphQLList && Array.isArray(value)) {
    value.forEach((item, index) => {
      into.push({ container: value, key: index, type: inner.ofType, name });
      slotsOf(item, inner.ofType, name, into);
    });
  } else if (inner instanceof GraphQLInputObjectType && value && typeof value === 'object' && !(value instanceof EnumValue)) {
    const record = value as Record<string, unknown>;
    for (const field of Object.values(inner.getFields())) {
      into.push({ container: record, key: field.name, type: field.type, name: field.name });
      if (field.name in record) slotsOf(record[field.name], field.type, field.name, into);
    }
  }
}

/** A value as JSON for variables: enum values as strings, missing fields left out. */
function asJson(value: unknown): unknown {
  if (value instanceof EnumValue) return value.name;
  if (Array.isArray(value)) return value.map(asJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== MISSING).map(([k, v]) => [k, asJson(v)]));
  }
  return value;
}

/** A value as a GraphQL literal. Numbers JSON cannot carry (NaN) come out as bare names: invalid, on purpose. */
function asLiteral(value: unknown): string {
  if (value instanceof EnumValue) return value.name;
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(asLiteral).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== MISSING)
      .map(([k, v]) => `${k}: ${asLiteral(v)}`)
      .join(', ')}}`;
  }
  return 'null';
}

interface FuzzCase {
  index: number;
  field: string;
  query: string;
  variables: Record<string, unknown>;
  role: Role | 'anonymous';
  /** Sent without a token or with a token of a role the mutation does not name. */
  wrongCaller: boolean;
  /** Which position was made invalid, and with what. */
  note: string;
  /** Whether the request must be refused: an invalid argument, an unknown one, or the wrong caller. */
  hostile: boolean;
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  return isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
}

/** The role a mutation's description names ("Role MERCHANT: …"). */
function roleOf(field: GraphQLField<unknown, unknown>): Role | null {
  const match = /\bRole (CUSTOMER|MERCHANT|RIDER|OPERATOR|ADMIN)\b/.exec(field.description ?? '');
  return (match?.[1] as Role | undefined) ?? null;
}

const ROLES: readonly Role[] = ['CUSTOMER', 'MERCHANT', 'RIDER', 'OPERATOR', 'ADMIN'];

function generateCase(index: number, mutations: ReadonlyArray<GraphQLField<unknown, unknown>>, pools: Pools, rng: Rng): FuzzCase {
  // Round robin over the mutations, so that each gets its share whatever the count.
  const field = mutations[index % mutations.length]!;
  const rightRole = roleOf(field) ?? rng.pick(ROLES);
  // Wrong callers: anonymous, or a role the description does not name (ADMIN may step in anywhere).
  const mentioned = ROLES.filter((r) => r === 'ADMIN' || (field.description ?? '').includes(r));
  const wrongCaller = rng.chance(0.1);
  const role: Role | 'anonymous' = wrongCaller ? rng.pick<Role | 'anonymous'>(['anonymous', ...ROLES.filter((r) => !mentioned.includes(r))]) : rightRole;

  const args: Record<string, unknown> = {};
  for (const arg of field.args) args[arg.name] = plausible(arg.type, arg.name, pools, rng);
  const slots = () => {
    const found: Slot[] = [];
    for (const arg of field.args) {
      found.push({ container: args, key: arg.name, type: arg.type, name: arg.name });
      slotsOf(args[arg.name], arg.type, arg.name, found);
    }
    return found;
  };
  // 0–2 odd values, then (70 %) one invalid one, placed last so that nothing replaces it.
  for (let n = rng.int(3); n > 0 && field.args.length; n -= 1) {
    const slot = rng.pick(slots());
    (slot.container as Record<string | number, unknown>)[slot.key] = hostile(slot.type, slot.name, pools, rng, false);
  }
  const invalid = field.args.length > 0 && rng.chance(0.7);
  let note = '';
  if (invalid) {
    const slot = rng.pick(slots());
    const value = hostile(slot.type, slot.name, pools, rng, true);
    (slot.container as Record<string | number, unknown>)[slot.key] = value;
    note = `invalid ${slot.name}[${String(slot.key)}] = ${value === MISSING ? '(missing)' : brief(String(JSON.stringify(asJson(value))), 60)}`;
  }
  const extraArgument = rng.chance(0.03);
  const inline = rng.chance(0.4);
  const present = field.args.filter((arg) => args[arg.name] !== MISSING);
  let query: string;
  let variables: Record<string, unknown> = {};
  if (inline) {
    const list = present.map((arg) => `${arg.name}: ${asLiteral(args[arg.name])}`);
    if (extraArgument) list.push('sneaky: 1');
    query = `mutation Fuzz { ${field.name}${list.length ? `(${list.join(', ')})` : ''}${selectionFor(field)} }`;
  } else {
    const declared = present.map((arg: GraphQLArgument) => `$${arg.name}: ${String(arg.type)}`);
    const list = present.map((arg) => `${arg.name}: $${arg.name}`);
    if (extraArgument) list.push('sneaky: 1');
    query = `mutation Fuzz${declared.length ? `(${declared.join(', ')})` : ''} { ${field.name}${list.length ? `(${list.join(', ')})` : ''}${selectionFor(field)} }`;
    variables = Object.fromEntries(present.map((arg) => [arg.name, asJson(args[arg.name])]));
  }
  return { index, field: field.name, query, variables, role, wrongCaller, note, hostile: invalid || wrongCaller || extraArgument };
}

interface Outcome {
  fuzz: FuzzCase;
  status: number;
  body: string;
  succeeded: boolean;
  problem: string | null;
}

let stack: Stack;
let actors: Record<Role, Actor>;
let pools: Pools;

beforeAll(async () => {
  stack = await startStack({ gatewayEnv: GATEWAY_BUDGETS });
  const shop: SeededMerchant = await aMerchant(stack, [
    { name: '锅包肉', priceCents: 3800, stock: 1_000_000 },
    { name: '地三鲜', priceCents: 2200, stock: 1_000_000 },
  ]);
  const customer = await anActor('CUSTOMER');
  const orders = await Promise.all([1, 2, 3].map(() => anOrder(stack, shop, customer)));
  const other = await aMerchant(stack);
  actors = {
    MERCHANT: shop.owner,
    CUSTOMER: customer,
    // Registered, online and far from every shop of this stack: it can go on- and offline.
    RIDER: await aRiderAt(stack, north(shop.location, 400_000)),
    OPERATOR: await anActor('OPERATOR'),
    ADMIN: await anActor('ADMIN'),
  };
  pools = {
    merchantIds: [shop.id, other.id],
    productIds: [...shop.products.map((p) => p.id), ...other.products.map((p) => p.id)],
    orderIds: orders.map((o) => o.id),
    near: north(shop.location, 300),
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function send(fuzz: FuzzCase): Promise<Outcome> {
  const token = fuzz.role === 'anonymous' ? null : actors[fuzz.role].token;
  let status = 0;
  let body = '';
  try {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: fuzz.query, variables: fuzz.variables }),
      signal: AbortSignal.timeout(20_000),
    });
    status = response.status;
    body = await response.text();
  } catch (err) {
    return { fuzz, status, body, succeeded: false, problem: `request failed: ${(err as Error).message}` };
  }
  type Body = { data?: Record<string, unknown> | null; errors?: unknown[] };
  let parsed: Body | null = null;
  try {
    parsed = JSON.parse(body) as Body;
  } catch {
    // A non-JSON body is judged by its status alone (e.g. a 413 from the body parser).
  }
  const succeeded = status === 200 && !parsed?.errors?.length && parsed?.data?.[fuzz.field] !== undefined && parsed?.data?.[fuzz.field] !== null;
  let problem: string | null = null;
  if (status >= 500) problem = `HTTP ${status}`;
  else if (body.includes('INTERNAL_SERVER_ERROR')) problem = 'INTERNAL_SERVER_ERROR in the response';
  else if (status === 200 && !parsed) problem = 'HTTP 200 with a body that is not JSON';
  return { fuzz, status, body, succeeded, problem };
}

/** Runs `cases` with at most CONCURRENCY requests in flight. */
async function runBatch(cases: FuzzCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next;
      next += 1;
      outcomes[index] = await send(cases[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, cases.length) }, worker));
  return outcomes;
}

const sameCounts = (a: RowCounts, b: RowCounts) => rowCountChanges(a, b).length === 0;

/**
 * Row counts once nothing writes any more: a request that succeeded may still have events on
 * their way to other services. Quiet means no change for longer than a batched consumer may
 * hold an event in its fetch (KAFKA_MAX_WAIT_MS, see docs/performance/consumers-and-calls.md),
 * read every 300 ms: two readings 300 ms apart can agree while an event waits in such a fetch.
 */
async function quietCounts(): Promise<RowCounts> {
  const quietForMs = kafkaConfig.shape.KAFKA_MAX_WAIT_MS.parse(stack.env.KAFKA_MAX_WAIT_MS) + 500;
  let last = await rowCounts(stack.env);
  let unchangedSince = Date.now();
  return eventually(
    async () => {
      const now = await rowCounts(stack.env);
      if (!sameCounts(last, now)) unchangedSince = Date.now();
      last = now;
      return Date.now() - unchangedSince >= quietForMs && now;
    },
    { timeoutMs: 20_000, intervalMs: 300, what: 'the databases to stop changing' },
  );
}

const describeOutcome = (outcome: Outcome) =>
  `#${outcome.fuzz.index} ${outcome.fuzz.field} as ${outcome.fuzz.role}${outcome.fuzz.note ? ` (${outcome.fuzz.note})` : ''}: ${brief(outcome.fuzz.query)} variables ${brief(JSON.stringify(outcome.fuzz.variables))} → ${outcome.status} ${brief(outcome.body)}`;

test(`${COUNT} generated inputs across every mutation: no 5xx, no INTERNAL_SERVER_ERROR, and refused batches write nothing`, async () => {
  process.stderr.write(`fuzz: seed ${SEED} (FUZZ_SEED to replay), ${COUNT} inputs (FUZZ_COUNT)\n`);
  const mutationType = stack.gateway.apiSchema().getMutationType();
  const mutations = Object.values(mutationType!.getFields()).sort((a, b) => a.name.localeCompare(b.name));
  expect(mutations.length).toBeGreaterThanOrEqual(15);

  const rng = prng(SEED);
  const generated = Array.from({ length: COUNT }, (_, index) => generateCase(index, mutations, pools, rng));
  // Inputs that must be refused first, in batches whose row counts are compared; the others
  // last (they may succeed and write; they are checked for 5xx and INTERNAL_SERVER_ERROR).
  const cases = [...generated.filter((c) => c.hostile), ...generated.filter((c) => !c.hostile)];

  const deadline = Date.now() + TIME_LIMIT_MS;
  const problems: string[] = [];
  const writesByRefused: string[] = [];
  const wrongCallerAccepted: string[] = [];
  const invalidAccepted = new Map<string, string>();
  const perField = new Map<string, { sent: number; succeeded: number }>();
  let sent = 0;
  let checkedBatches = 0;
  let checkedRequests = 0;
  let before: RowCounts | null = await quietCounts();
  for (let start = 0; start < cases.length; start += BATCH) {
    if (Date.now() > deadline) break;
    const batch = cases.slice(start, start + BATCH);
    const outcomes = await runBatch(batch);
    sent += outcomes.length;
    for (const outcome of outcomes) {
      const tally = perField.get(outcome.fuzz.field) ?? { sent: 0, succeeded: 0 };
      tally.sent += 1;
      if (outcome.succeeded) tally.succeeded += 1;
      perField.set(outcome.fuzz.field, tally);
      if (outcome.problem && problems.length < 50) problems.push(`${outcome.problem}: ${describeOutcome(outcome)}`);
      if (outcome.succeeded && outcome.fuzz.wrongCaller) wrongCallerAccepted.push(describeOutcome(outcome));
      else if (outcome.succeeded && outcome.fuzz.hostile && !invalidAccepted.has(outcome.fuzz.field)) invalidAccepted.set(outcome.fuzz.field, describeOutcome(outcome));
    }
    // Row counts only around batches of requests that had to be refused (they come first).
    if (before === null || !batch.every((fuzz) => fuzz.hostile)) {
      before = null;
      continue;
    }
    if (outcomes.every((outcome) => !outcome.succeeded)) {
      const after = await rowCounts(stack.env);
      const changes = rowCountChanges(before, after);
      if (changes.length && writesByRefused.length < 20) {
        writesByRefused.push(`batch at ${start} (all ${outcomes.length} refused) wrote: ${changes.join(', ')}; first requests: ${outcomes.slice(0, 3).map(describeOutcome).join(' | ')}`);
      }
      checkedBatches += 1;
      checkedRequests += outcomes.length;
      before = changes.length ? await quietCounts() : after;
    } else {
      before = await quietCounts();
    }
  }

  process.stderr.write(
    [
      `fuzz: ${sent} requests, seed ${SEED}; ${checkedRequests} refused requests in ${checkedBatches} batches checked for writes`,
      ...[...perField].map(([field, tally]) => `  ${field}: ${tally.sent} sent, ${tally.succeeded} succeeded`),
      ...(invalidAccepted.size ? ['invalid inputs that were accepted (the first per mutation):', ...[...invalidAccepted.values()].map((d) => `  ${d}`)] : []),
    ].join('\n') + '\n',
  );
  expect(problems).toEqual([]);
  expect(writesByRefused).toEqual([]);
  expect(wrongCallerAccepted).toEqual([]);
  expect([...invalidAccepted.values()]).toEqual([]);
  expect(sent).toBe(COUNT);
  expect([...perField.keys()].sort()).toEqual(mutations.map((m) => m.name).sort());
  // The write check must have covered most of the hostile inputs, or it proved little.
  expect(checkedRequests).toBeGreaterThan(cases.filter((c) => c.hostile).length / 4);
}, TIME_LIMIT_MS + 60_000);
