import { DateTimeScalar } from '@waimai/platform';
import type { Resolvers } from '../generated/graphql';
import { Merchant } from './Merchant';
import { Mutation } from './Mutation';
import { Order, OrderItem } from './Order';
import { Query } from './Query';
import { Rider } from './Rider';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Order, OrderItem, Merchant, Rider };
