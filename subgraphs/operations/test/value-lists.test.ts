import path from 'node:path';
import { auditActions, auditTargetTypes } from '@waimai/platform';
import { enumValuesIn } from '@waimai/testkit';
import { figureBuckets } from '../src/domain/figures';

const sdl = path.join(__dirname, '..', 'src', 'schema.graphql');

test("the GraphQL AuditAction lists exactly platform's audited actions (the events' schema and the audit_log enum)", () => {
  expect(enumValuesIn(sdl, 'AuditAction')).toEqual([...auditActions]);
});

test("the GraphQL AuditTargetType lists exactly platform's audit target types", () => {
  expect(enumValuesIn(sdl, 'AuditTargetType')).toEqual([...auditTargetTypes]);
});

test('the GraphQL FigureBucket lists exactly the bucket sizes the figures compute', () => {
  expect(enumValuesIn(sdl, 'FigureBucket')).toEqual([...figureBuckets]);
});
