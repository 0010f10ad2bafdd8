import { GraphQLError } from 'graphql';

/** The contract's error codes (shared/contract/README.md). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  ORDER_ALREADY_TAKEN: 'ORDER_ALREADY_TAKEN',
  INVALID_STATE_TRANSITION: 'INVALID_STATE_TRANSITION',
  RATE_LIMITED: 'RATE_LIMITED',
  MERCHANT_SUSPENDED: 'MERCHANT_SUSPENDED',
  RIDER_SUSPENDED: 'RIDER_SUSPENDED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Apollo Server's codes for a request it could not run (unparsable, invalid, an unknown
 * persisted query): the client's, like the contract's codes, and BAD_REQUEST at the gateway.
 */
export const REQUEST_ERROR_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
] as const;

/** An expected failure: its message and code reach the client as they are. */
export abstract class DomainError extends GraphQLError {
  abstract readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = ErrorCode.UNAUTHENTICATED;
  constructor(message = 'A valid token is required for this operation.') {
    super(message, ErrorCode.UNAUTHENTICATED);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = ErrorCode.FORBIDDEN;
  constructor(message = 'You are not allowed to do this.') {
    super(message, ErrorCode.FORBIDDEN);
  }
}

/** One entry per invalid field, so a form can show every problem at once. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class BadUserInputError extends DomainError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  constructor(message: string, readonly problems: FieldProblem[] = []) {
    super(message, ErrorCode.BAD_USER_INPUT, problems.length ? { problems } : {});
  }
}

export class NotFoundError extends DomainError {
  readonly code = ErrorCode.NOT_FOUND;
  constructor(what: string, id: string) {
    super(`${what} ${id} does not exist.`, ErrorCode.NOT_FOUND, { id });
  }
}

export class OutOfStockError extends DomainError {
  readonly code = ErrorCode.OUT_OF_STOCK;
  constructor(productIds: string[]) {
    super(`Not enough stock for ${productIds.join(', ')}.`, ErrorCode.OUT_OF_STOCK, { productIds });
  }
}

export class OrderAlreadyTakenError extends DomainError {
  readonly code = ErrorCode.ORDER_ALREADY_TAKEN;
  constructor(orderId: string) {
    super(`Order ${orderId} has already been taken by another rider.`, ErrorCode.ORDER_ALREADY_TAKEN, { orderId });
  }
}

/** The shop was suspended by operations: hidden from customers and closed to new orders. */
export class MerchantSuspendedError extends DomainError {
  readonly code = ErrorCode.MERCHANT_SUSPENDED;
  constructor(merchantId: string) {
    super(`Merchant ${merchantId} is suspended and takes no orders.`, ErrorCode.MERCHANT_SUSPENDED, { merchantId });
  }
}

/** The rider was suspended by operations: no offers, no grabs. */
export class RiderSuspendedError extends DomainError {
  readonly code = ErrorCode.RIDER_SUSPENDED;
  constructor(riderId: string) {
    super(`Rider ${riderId} is suspended.`, ErrorCode.RIDER_SUSPENDED, { riderId });
  }
}

export class InvalidStateTransitionError extends DomainError {
  readonly code = ErrorCode.INVALID_STATE_TRANSITION;
  /** `entity` names what has the status (an Order by default, a Rider…); extensions carry `<entity>Id`. */
  constructor(id: string, from: string, step: string, entity = 'Order') {
    super(`${entity} ${id} is ${from}; "${step}" is not allowed now.`, ErrorCode.INVALID_STATE_TRANSITION, {
      [`${entity.charAt(0).toLowerCase()}${entity.slice(1)}Id`]: id,
      status: from,
      step,
    });
  }
}

/**
 * A service this operation needs did not answer in time: nothing was changed, and the same
 * request may be sent again after `retryAfterSeconds`. Not the client's mistake, and not a
 * bug either: the client's remedy is to wait and retry.
 */
export class ServiceUnavailableError extends DomainError {
  readonly code = ErrorCode.SERVICE_UNAVAILABLE;
  constructor(service: string, what: string, retryAfterSeconds = 5) {
    super(`The ${service} service is unavailable, so ${what}; nothing was changed. Try again in a few seconds.`, ErrorCode.SERVICE_UNAVAILABLE, {
      service,
      retryAfterSeconds,
    });
  }
}

export class RateLimitedError extends DomainError {
  readonly code = ErrorCode.RATE_LIMITED;
  constructor(retryAfterSeconds: number) {
    super('Too many requests; slow down.', ErrorCode.RATE_LIMITED, { retryAfterSeconds });
  }
}
