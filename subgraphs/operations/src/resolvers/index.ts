import { DateTimeScalar } from '@waimai/platform';
import type { Resolvers } from '../generated/graphql';
import { AuditEntry } from './AuditEntry';
import { MerchantFigures } from './MerchantFigures';
import { RiderFigures } from './RiderFigures';
import { Query } from './Query';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, AuditEntry, MerchantFigures, RiderFigures };
