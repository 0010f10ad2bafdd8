import path from 'node:path';
import { enumValuesIn } from '@waimai/testkit';
import { riderStatuses } from '../src/db/schema';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test('the GraphQL RiderStatus lists exactly the statuses of the riders table', () => {
  expect(enumValuesIn(sdl, 'RiderStatus')).toEqual([...riderStatuses]);
});
