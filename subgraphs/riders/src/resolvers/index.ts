import { DateTimeScalar } from '@waimai/platform';
import type { Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Order } from './Order';
import { OrderOffer } from './OrderOffer';
import { Query } from './Query';
import { Rider } from './Rider';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Rider, OrderOffer, Order };
