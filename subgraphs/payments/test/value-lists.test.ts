import path from 'node:path';
import { refundReasons } from '@waimai/platform';
import { enumValuesIn } from '@waimai/testkit';
import { paymentMethods, paymentStatuses } from '../src/db/schema';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test('the GraphQL PaymentStatus and PaymentMethod list exactly the values of the payments table', () => {
  expect(enumValuesIn(sdl, 'PaymentStatus')).toEqual([...paymentStatuses]);
  expect(enumValuesIn(sdl, 'PaymentMethod')).toEqual([...paymentMethods]);
});

test("the GraphQL RefundReason lists exactly platform's refund reasons, which the refunds table's enum is made of", () => {
  expect(enumValuesIn(sdl, 'RefundReason')).toEqual([...refundReasons]);
});
