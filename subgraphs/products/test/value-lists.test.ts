import path from 'node:path';
import { enumValuesIn } from '@waimai/testkit';
import { productStatuses } from '../src/db/schema';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test('the GraphQL ProductStatus lists exactly the statuses of the products table', () => {
  expect(enumValuesIn(sdl, 'ProductStatus')).toEqual([...productStatuses]);
});
