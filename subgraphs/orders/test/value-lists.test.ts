import path from 'node:path';
import { orderStatuses } from '@waimai/platform';
import { enumValuesIn } from '@waimai/testkit';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test("the GraphQL OrderStatus lists exactly the statuses of the orders table and the events' schema", () => {
  expect(enumValuesIn(sdl, 'OrderStatus')).toEqual([...orderStatuses]);
});
