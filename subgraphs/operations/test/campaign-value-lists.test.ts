import path from 'node:path';
import { campaignKinds, fundingSources } from '@waimai/platform';
import { enumValuesIn } from '@waimai/testkit';
import { campaignStatuses } from '../src/db/schema';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test("the GraphQL CampaignKind lists exactly platform's campaign kinds (the tables' enums and the campaigns API)", () => {
  expect(enumValuesIn(sdl, 'CampaignKind')).toEqual([...campaignKinds]);
});

test("the GraphQL FundedBy lists exactly platform's funding sources", () => {
  expect(enumValuesIn(sdl, 'FundedBy')).toEqual([...fundingSources]);
});

test("the GraphQL CampaignStatus lists exactly the campaigns table's statuses", () => {
  expect(enumValuesIn(sdl, 'CampaignStatus')).toEqual([...campaignStatuses]);
});
