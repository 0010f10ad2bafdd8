import path from 'node:path';
import { campaignKinds, fundingSources, orderStatuses } from '@waimai/platform';
import { enumValuesIn } from '@waimai/testkit';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test("the GraphQL OrderStatus lists exactly the statuses of the orders table and the events' schema", () => {
  expect(enumValuesIn(sdl, 'OrderStatus')).toEqual([...orderStatuses]);
});

test('the GraphQL CampaignKind and FundedBy list exactly the campaigns\' kinds and funding sources (as operations declares them)', () => {
  expect(enumValuesIn(sdl, 'CampaignKind')).toEqual([...campaignKinds]);
  expect(enumValuesIn(sdl, 'FundedBy')).toEqual([...fundingSources]);
});
