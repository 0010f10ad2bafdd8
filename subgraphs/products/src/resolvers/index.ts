import { DateTimeScalar } from '@waimai/platform';
import type { Resolvers } from '../generated/graphql';
import { Merchant } from './Merchant';
import { Mutation } from './Mutation';
import { Product } from './Product';
import { Query } from './Query';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Merchant, Product };
