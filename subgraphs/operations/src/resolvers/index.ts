import { DateTimeScalar } from '@waimai/platform';
import type { Resolvers } from '../generated/graphql';
import { AuditEntry } from './AuditEntry';
import { MerchantFigures } from './MerchantFigures';
import { RiderFigures } from './RiderFigures';
import { Query } from './Query';
import { Campaign } from './Campaign';
import { Coupon } from './Coupon';
import { campaignMutations } from './campaign-mutations';
import { campaignQueries } from './campaign-queries';
import { AdClick } from './AdClick';
import { AdPlacement } from './AdPlacement';
import { adMutations } from './ad-mutations';
import { adQueries } from './ad-queries';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...Query, ...campaignQueries, ...adQueries },
  Mutation: { ...campaignMutations, ...adMutations },
  AuditEntry,
  MerchantFigures,
  RiderFigures,
  Campaign,
  Coupon,
  AdPlacement,
  AdClick,
};
