import { Kind } from 'graphql';
import { DateTimeScalar } from '../src';

describe('the DateTime scalar', () => {
  test.each(['2026-11-23T08:30:00.000Z', '2026-11-23T08:30:00Z', '2026-11-23T16:30:00+08:00', '2026-11-23T08:30Z'])('takes the ISO-8601 instant %s', (value) => {
    expect(DateTimeScalar.parseValue(value)).toBeInstanceOf(Date);
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value })).toBeInstanceOf(Date);
  });

  test('reads an offset as the instant it names', () => {
    expect((DateTimeScalar.parseValue('2026-11-23T16:30:00+08:00') as Date).toISOString()).toBe('2026-11-23T08:30:00.000Z');
  });

  test.each(['0', '1', 'May 5', '2026-11-23', '2026-11-23T08:30:00', '2026-13-45T99:00:00Z', '', 'next line'])('refuses %j, which is not an instant with its offset', (value) => {
    expect(() => DateTimeScalar.parseValue(value)).toThrow(/ISO-8601/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value })).toThrow(/ISO-8601/);
  });

  test.each([0, false, null, {}])('refuses the variable %j, which is not a string', (value) => {
    expect(() => DateTimeScalar.parseValue(value)).toThrow(/ISO-8601/);
  });
});
