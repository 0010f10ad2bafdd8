import { DateTimeScalar } from '@waimai/platform';
import type { Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Order } from './Order';
import { Payment } from './Payment';
import { Query } from './Query';
import { Refund } from './Refund';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Order, Payment, Refund };
