import path from 'node:path';
import { enumValuesIn } from '@waimai/testkit';
import { paymentMethods, paymentStatuses } from '../src/db/schema';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test('the GraphQL PaymentStatus and PaymentMethod list exactly the values of the payments table', () => {
  expect(enumValuesIn(sdl, 'PaymentStatus')).toEqual([...paymentStatuses]);
  expect(enumValuesIn(sdl, 'PaymentMethod')).toEqual([...paymentMethods]);
});
