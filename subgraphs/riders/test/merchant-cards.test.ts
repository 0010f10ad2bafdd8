import { createLogger, type MerchantCardAnswer, type MerchantsApiClient } from '@waimai/platform';
import { merchantCards } from '../src/domain/merchant-cards';

type CardCall = MerchantsApiClient['merchantCard'];

/** Products' merchants API as the dispatcher sees it: each call answered by `answer`, counted per shop. */
function products(answer: (merchantId: string, call: number) => Promise<MerchantCardAnswer>) {
  const calls = new Map<string, number>();
  const merchantCard: CardCall = async ({ params }) => {
    const call = (calls.get(params.merchantId) ?? 0) + 1;
    calls.set(params.merchantId, call);
    return { ok: true, value: await answer(params.merchantId, call) } as Awaited<ReturnType<CardCall>>;
  };
  return { client: { merchantCard }, calls };
}

const cardOf = (merchantId: string, name: string): MerchantCardAnswer => ({
  exists: true,
  card: { id: merchantId, name, address: '1 Nanjing Rd', location: { lat: 31.23, lng: 121.47 } },
});
const log = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("shops' cards for the offers", () => {
  test('a card is asked once per shop while it is fresh, however many rounds ask at once', async () => {
    const { client, calls } = products(async (merchantId) => cardOf(merchantId, 'Lao Zhang Noodles'));
    const cards = merchantCards(client, 60_000, log);

    await Promise.all([cards.fetch('m-1'), cards.fetch('m-1'), cards.fetch('m-2')]);
    await cards.fetch('m-1');

    expect(cards.get('m-1')?.name).toBe('Lao Zhang Noodles');
    expect(Object.fromEntries(calls)).toEqual({ 'm-1': 1, 'm-2': 1 });
  });

  test('past its time a card is still used while products is asked again, and the new answer replaces it', async () => {
    let release: () => void = () => {};
    const { client, calls } = products(async (merchantId, call) => {
      if (call === 2) await new Promise<void>((resolve) => (release = resolve));
      return cardOf(merchantId, call === 1 ? 'Old Name' : 'New Name');
    });
    const cards = merchantCards(client, 50, log);
    await cards.fetch('m-1');
    await sleep(80);

    const refreshing = cards.fetch('m-1');
    expect(await refreshing).toMatchObject({ name: 'Old Name' });
    expect(cards.get('m-1')?.name).toBe('Old Name');
    release();
    await sleep(10);

    expect(cards.get('m-1')?.name).toBe('New Name');
    expect(calls.get('m-1')).toBe(2);
  });

  test('a refresh that fails keeps the card riders were shown; a shop products never answered has none', async () => {
    const { client } = products(async (merchantId, call) => {
      if (call > 1 || merchantId === 'm-down') throw new Error('products is down');
      return cardOf(merchantId, 'Lao Zhang Noodles');
    });
    const cards = merchantCards(client, 50, log);
    await cards.fetch('m-1');
    await sleep(80);

    await expect(cards.fetch('m-1')).resolves.toMatchObject({ name: 'Lao Zhang Noodles' });
    await sleep(10);
    expect(cards.get('m-1')?.name).toBe('Lao Zhang Noodles');
    await expect(cards.fetch('m-down')).resolves.toBeUndefined();
    expect(cards.get('m-down')).toBeUndefined();
  });

  test('a shop products does not know has no card, and is asked again next time', async () => {
    const { client, calls } = products(async () => ({ exists: false, card: null }));
    const cards = merchantCards(client, 60_000, log);

    expect(await cards.fetch('m-gone')).toBeUndefined();
    expect(await cards.fetch('m-gone')).toBeUndefined();
    expect(calls.get('m-gone')).toBe(2);
  });
});
