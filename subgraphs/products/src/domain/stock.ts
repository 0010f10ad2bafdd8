import { distanceMeters, ORPHAN_SWEEP_BATCH, sweepOrphanHolds, type GeoPoint, type Logger, type OrdersApiClient, type SweepOutcome } from '@waimai/platform';

export interface StockRequestLine {
  productId: string;
  quantity: number;
}

export interface ReservedLine {
  productId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
}

export interface ReservationMerchant {
  id: string;
  ownerId: string;
  name: string;
  lat: number;
  lng: number;
  deliveryRadiusMeters: number;
}

export interface Reservation {
  orderId: string;
  merchant: ReservationMerchant;
  lines: ReservedLine[];
}

/** What a hold of some items would get now (a quote): the same as a reservation, without an order. */
export type PricedItems = Omit<Reservation, 'orderId'>;

/** Why a reservation was refused; nothing was reserved. */
export type ReservationRefusal =
  | { kind: 'unknown-products'; productIds: string[] }
  | { kind: 'not-on-sale'; productIds: string[] }
  | { kind: 'several-merchants'; merchantIds: string[] }
  | { kind: 'out-of-range'; merchantName: string; deliveryRadiusMeters: number }
  | { kind: 'out-of-stock'; productIds: string[] }
  | { kind: 'merchant-suspended'; merchantId: string }
  | { kind: 'already-released' };

export type ReservationResult = { ok: true; reservation: Reservation } | { ok: false; refusal: ReservationRefusal };
export type PriceResult = { ok: true; priced: PricedItems } | { ok: false; refusal: Exclude<ReservationRefusal, { kind: 'already-released' }> };

/** One hold per order; a RELEASED hold without a merchant is a tombstone (released before it was held). */
export interface StockHold {
  orderId: string;
  merchantId: string | null;
  status: 'RESERVED' | 'RELEASED';
  claimedAt: Date | null;
  confirmedAt: Date | null;
}

/** A product as pricing reads it, with its merchant. */
export interface CatalogProduct {
  id: string;
  merchantId: string;
  name: string;
  priceCents: number;
  /** What was left when read (a quote compares it; a hold decides in its UPDATE). */
  stock: number;
  status: 'ON_SALE' | 'OFF_SALE';
  merchant: ReservationMerchant & { suspended: boolean };
}

/** What the stock use cases need from storage (db/stock-store.ts implements it). */
export interface StockHoldStore {
  holdOf(orderId: string): Promise<StockHold | undefined>;
  /** Restarts a RESERVED hold's orphan window; false when it is not RESERVED (any more). */
  claim(orderId: string): Promise<boolean>;
  /** A hold's lines at the products' current names and prices, in product id order. */
  linesOf(orderId: string): Promise<ReservedLine[]>;
  merchantById(merchantId: string): Promise<ReservationMerchant | undefined>;
  /**
   * The products with the merchant each belongs to, and its suspension as read without a lock
   * (a quote holds nothing; a hold reads it again under a lock): one statement.
   */
  productsByIds(productIds: readonly string[]): Promise<CatalogProduct[]>;
  stockLevels(productIds: readonly string[]): Promise<Array<{ id: string; stock: number }>>;
  /** Marks holds whose order is known to exist (no-op for those already marked). */
  confirm(orderIds: readonly string[]): Promise<void>;
  /** RESERVED, unconfirmed holds last claimed before `claimedBefore`, oldest claim first. */
  unconfirmedHolds(claimedBefore: Date, limit: number): Promise<string[]>;
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: StockHoldWrites) => Promise<T>): Promise<T>;
}

/** The statements a stock use case runs inside its transaction. */
export interface StockHoldWrites {
  /**
   * Whether operations suspended the merchant, read under a shared lock on its row: a
   * suspension waits for this hold's commit, and a hold after the suspension's commit sees it.
   */
  merchantSuspended(merchantId: string): Promise<boolean>;
  /** A new RESERVED hold claimed now; false when the order already has a hold (or tombstone). */
  insertHold(orderId: string, merchantId: string): Promise<boolean>;
  /**
   * Takes every line's quantity out of its ON_SALE product's stock in one conditional UPDATE,
   * each row only if that much is left; false when any line could not be taken (the caller
   * then rolls back, so a hold is all or nothing).
   */
  takeStock(lines: readonly StockRequestLine[]): Promise<boolean>;
  insertItems(orderId: string, lines: readonly StockRequestLine[]): Promise<void>;
  /** The hold, locked until the transaction ends. */
  lockHold(orderId: string): Promise<StockHold | undefined>;
  /** A RELEASED hold without a merchant; a hold written meanwhile is left as it is. */
  insertTombstone(orderId: string): Promise<void>;
  itemsOf(orderId: string): Promise<StockRequestLine[]>;
  returnStock(productId: string, quantity: number): Promise<void>;
  markReleased(orderId: string): Promise<void>;
}

export interface StockServiceDeps {
  store: StockHoldStore;
  /** Asked, outside any transaction, which orders of unconfirmed holds exist. */
  orders: Pick<OrdersApiClient, 'existing'>;
  /** A hold unclaimed this long without a known order is asked about. */
  orphanSeconds: number;
  logger: Logger;
}


/** Thrown inside a hold's transaction to roll it back; caught by `reserve`. */
class HoldUndone extends Error {
  constructor(readonly reason: 'out-of-stock' | 'held-concurrently' | 'merchant-suspended') {
    super(reason);
  }
}

const refused = (refusal: ReservationRefusal): ReservationResult => ({ ok: false, refusal });

type CheckedItems =
  | {
      ok: true;
      quantities: Map<string, number>;
      productIds: string[];
      merchant: CatalogProduct['merchant'];
      catalog: CatalogProduct[];
    }
  | { ok: false; refusal: Exclude<ReservationRefusal, { kind: 'already-released' }> };

/** The merchant as a hold or a quote answers it, whatever else the row read carries. */
const merchantOf = ({ id, ownerId, name, lat, lng, deliveryRadiusMeters }: ReservationMerchant): ReservationMerchant => ({ id, ownerId, name, lat, lng, deliveryRadiusMeters });

/**
 * The stock hold use cases: hold, release, confirm, and the orphan-hold sweep. Each decides
 * the rules and owns its transaction (opened through the store); the store only runs SQL.
 */
export function createStockService({ store, orders, orphanSeconds, logger }: StockServiceDeps) {
  const sweepLog = logger.child({ component: 'orphan-hold-sweep' });

  /**
   * The authoritative prices and merchant of an existing hold (a repeated reserve call).
   * `claim`: the call is an attempt resuming the hold (a createOrder retry), so its orphan
   * window restarts now; conditional on RESERVED, so when the sweep released it first this
   * attempt is refused, and when the claim lands first the sweep's release skips it.
   */
  async function existingReservation(orderId: string, claim: boolean): Promise<ReservationResult | null> {
    const hold = await store.holdOf(orderId);
    if (!hold) return null;
    if (hold.status === 'RELEASED' || !hold.merchantId) return refused({ kind: 'already-released' });
    if (claim && !(await store.claim(orderId))) return refused({ kind: 'already-released' });
    const lines = await store.linesOf(orderId);
    const merchant = await store.merchantById(hold.merchantId);
    if (!merchant) return refused({ kind: 'already-released' });
    return { ok: true, reservation: { orderId, merchant: merchantOf(merchant), lines } };
  }

  /**
   * The checks every pricing makes before anything is held: known products, one merchant, on
   * sale, delivered that far. One line per product, in id order (holds lock them in that order
   * so concurrent holds never deadlock).
   */
  async function checkItems(request: readonly StockRequestLine[], deliverTo?: GeoPoint): Promise<CheckedItems> {
    const quantities = new Map<string, number>();
    for (const line of request) quantities.set(line.productId, (quantities.get(line.productId) ?? 0) + line.quantity);
    const productIds = [...quantities.keys()].sort();

    const catalog = await store.productsByIds(productIds);
    const unknown = productIds.filter((id) => !catalog.some((product) => product.id === id));
    if (unknown.length) return { ok: false, refusal: { kind: 'unknown-products', productIds: unknown } };
    const merchantIds = [...new Set(catalog.map((product) => product.merchantId))];
    if (merchantIds.length > 1) return { ok: false, refusal: { kind: 'several-merchants', merchantIds } };
    const offSale = catalog.filter((product) => product.status !== 'ON_SALE').map((product) => product.id);
    if (offSale.length) return { ok: false, refusal: { kind: 'not-on-sale', productIds: offSale } };
    const merchant = (catalog[0] as CatalogProduct).merchant;
    // Checked before the hold: an address the shop does not serve must leave nothing behind.
    if (deliverTo && distanceMeters({ lat: merchant.lat, lng: merchant.lng }, deliverTo) > merchant.deliveryRadiusMeters) {
      return { ok: false, refusal: { kind: 'out-of-range', merchantName: merchant.name, deliveryRadiusMeters: merchant.deliveryRadiusMeters } };
    }
    return { ok: true, quantities, productIds, merchant, catalog };
  }

  /** The lines of `productIds` at the catalog's names and prices, in product id order. */
  function linesAt(catalog: readonly CatalogProduct[], productIds: readonly string[], quantities: Map<string, number>): ReservedLine[] {
    const byId = new Map(catalog.map((product) => [product.id, product]));
    return productIds.map((productId) => {
      const product = byId.get(productId) as CatalogProduct;
      return { productId, name: product.name, unitPriceCents: product.priceCents, quantity: quantities.get(productId) as number };
    });
  }

  /** After a refused hold: which products cannot cover their line right now (for the error). */
  async function shortOf(quantities: Map<string, number>): Promise<string[]> {
    const rows = await store.stockLevels([...quantities.keys()]);
    const short = rows.filter((row) => row.stock < (quantities.get(row.id) ?? 0)).map((row) => row.id);
    return short.length ? short : [...quantities.keys()];
  }

  /** Puts a locked, RESERVED hold's stock back and marks it RELEASED (inside `tx`). */
  async function giveBack(tx: StockHoldWrites, orderId: string): Promise<void> {
    for (const item of await tx.itemsOf(orderId)) await tx.returnStock(item.productId, item.quantity);
    await tx.markReleased(orderId);
  }

  /**
   * Releases a hold whose order orders said does not exist, only if it is still what the
   * sweep saw: RESERVED, unconfirmed and not claimed again since `claimedBefore`. The row lock
   * orders this against a resuming reserve's claim: whichever commits first wins.
   */
  async function releaseOrphan(orderId: string, claimedBefore: Date): Promise<boolean> {
    return store.transaction(async (tx) => {
      const hold = await tx.lockHold(orderId);
      if (!hold || hold.status !== 'RESERVED' || hold.confirmedAt || !hold.claimedAt || hold.claimedAt >= claimedBefore) return false;
      await giveBack(tx, orderId);
      return true;
    });
  }

  return {
    /**
     * Takes the lines out of stock for `orderId`, all or nothing: each line is taken only if
     * that much is left, so concurrent orders can never oversell. Idempotent per order: a
     * repeat returns the same hold; a hold released first (tombstone) is refused. A suspended
     * merchant's products are refused (a repeat of a hold taken before the suspension is not).
     */
    async reserve(orderId: string, request: readonly StockRequestLine[], deliverTo?: GeoPoint): Promise<ReservationResult> {
      const previous = await existingReservation(orderId, true);
      if (previous) return previous;

      const checked = await checkItems(request, deliverTo);
      if (!checked.ok) return refused(checked.refusal);
      const { quantities, productIds, merchant, catalog } = checked;
      const merchantId = merchant.id;
      const lines = productIds.map((productId) => ({ productId, quantity: quantities.get(productId) as number }));

      try {
        await store.transaction(async (tx) => {
          // A suspended shop takes no new orders; holds taken before its suspension stand.
          if (await tx.merchantSuspended(merchantId)) throw new HoldUndone('merchant-suspended');
          if (!(await tx.insertHold(orderId, merchantId))) throw new HoldUndone('held-concurrently');
          await tx.insertItems(orderId, lines);
          // Last, so the products' rows (every concurrent order's hot rows) stay locked only from
          // this statement to the commit. Not enough left of any line (or it went off sale
          // meanwhile): the whole hold, items included, is rolled back.
          if (!(await tx.takeStock(lines))) throw new HoldUndone('out-of-stock');
        });
      } catch (err) {
        if (!(err instanceof HoldUndone)) throw err;
        if (err.reason === 'out-of-stock') return refused({ kind: 'out-of-stock', productIds: await shortOf(quantities) });
        if (err.reason === 'merchant-suspended') return refused({ kind: 'merchant-suspended', merchantId });
        // The same order reserved concurrently: the first hold wins and this call returns it.
        return (await existingReservation(orderId, true)) ?? refused({ kind: 'already-released' });
      }
      // Answered from what was read just before the hold, not read again after it: the names and
      // prices of that read (a price changed in between was a race either way), the same merchant.
      return { ok: true, reservation: { orderId, merchant: merchantOf(merchant), lines: linesAt(catalog, productIds, quantities) } };
    },

    /**
     * What a hold of these items would get now, holding nothing (quoteOrder): the same checks
     * and refusals as `reserve`, with stock compared to what is left at this moment. Another
     * customer may take it before this one orders; createOrder's hold decides.
     */
    async price(request: readonly StockRequestLine[], deliverTo?: GeoPoint): Promise<PriceResult> {
      const checked = await checkItems(request, deliverTo);
      if (!checked.ok) return checked;
      const { quantities, productIds, merchant, catalog } = checked;
      if (merchant.suspended) return { ok: false, refusal: { kind: 'merchant-suspended', merchantId: merchant.id } };
      const short = catalog.filter((product) => product.stock < (quantities.get(product.id) ?? 0)).map((product) => product.id);
      if (short.length) return { ok: false, refusal: { kind: 'out-of-stock', productIds: short.sort() } };
      return { ok: true, priced: { merchant: merchantOf(merchant), lines: linesAt(catalog, productIds, quantities) } };
    },

    /**
     * Gives a hold's stock back, once. A release for an order with no hold leaves a
     * RELEASED tombstone so a reservation arriving late for it is refused.
     */
    async release(orderId: string): Promise<{ released: boolean }> {
      return store.transaction(async (tx) => {
        const hold = await tx.lockHold(orderId);
        if (!hold) {
          await tx.insertTombstone(orderId);
          return { released: false };
        }
        if (hold.status === 'RELEASED') return { released: false };
        await giveBack(tx, orderId);
        return { released: true };
      });
    },

    /** Holds whose order is known to exist: the orphan-hold sweep skips them from now on. */
    confirm: (orderIds: readonly string[]): Promise<void> => store.confirm(orderIds),

    releaseOrphan,

    /**
     * Releases stock holds whose order never appeared: orders died between the hold and the
     * order row (createOrder), and no retry with the same idempotency key came to resume it.
     *
     * A timer alone does not decide: every candidate is checked with orders, which reads its
     * primary, and only holds orders says have no order are released. Why an order cannot appear
     * after that check: a hold is a candidate only once it is `orphanSeconds` (120 s) past its last
     * claim, and createOrder writes its order within one stock call plus one insert (about 3 s at
     * most) of the claim it got back; so by the time of the check, any order of that claim is
     * already committed. A retry that resumes the hold claims it again (claimed_at moves), and the
     * release is conditional on the claim seen here, under the row's lock: the retry either lands
     * first (nothing is released) or finds the hold released and takes a new one. A process of
     * orders frozen for longer than the window (a paused VM) is the one case this does not cover.
     *
     * Safe with several replicas: two sweeps may ask about the same hold, and the conditional
     * release gives its stock back once. Holds whose order emitted an event are confirmed by the
     * order-events consumer and never reach this sweep at all.
     */
    async sweepOrphans(now = new Date()): Promise<SweepOutcome> {
      const claimedBefore = new Date(now.getTime() - orphanSeconds * 1000);
      return sweepOrphanHolds({
        candidates: await store.unconfirmedHolds(claimedBefore, ORPHAN_SWEEP_BATCH),
        orders,
        confirm: (orderIds) => store.confirm(orderIds),
        release: (orderId) => releaseOrphan(orderId, claimedBefore),
        what: 'a stock hold',
        log: sweepLog,
      });
    },
  };
}
export type StockService = ReturnType<typeof createStockService>;
