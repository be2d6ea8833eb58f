import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OxyError } from '../errors.js';

export interface Limit {
  max: number;
  windowMs: number;
}

export interface SignInLimits {
  /** Sign-in attempts one client address may make per window, whatever the accounts. */
  perAddress: Limit;
  /** Sign-in attempts for one email per window, from any address (slows password guessing spread over many addresses). */
  perAccount: Limit;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAddress: { max: 30, windowMs: 60_000 },
  perAccount: { max: 10, windowMs: 5 * 60_000 },
};

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Rate limits for `POST /api/auth/login` with @fastify/rate-limit (in memory, per process): the
 * address is checked on arrival, the account once the body is validated. Over the limit: 429
 * `rate_limited` with Retry-After and a message saying which limit and when to retry.
 */
export async function signInLimitHooks(
  app: FastifyInstance,
  limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
): Promise<{ onRequest: Hook; preHandler: Hook }> {
  await app.register(rateLimit, { global: false });
  const byAddress = app.createRateLimit({
    max: limits.perAddress.max,
    timeWindow: limits.perAddress.windowMs,
    keyGenerator: (request) => `address:${request.ip}`,
  });
  const byAccount = app.createRateLimit({
    max: limits.perAccount.max,
    timeWindow: limits.perAccount.windowMs,
    keyGenerator: (request) =>
      `account:${String((request.body as { email?: unknown } | undefined)?.email ?? '')
        .trim()
        .toLowerCase()}`,
  });
  const enforce =
    (limit: typeof byAddress, what: string): Hook =>
    async (request, reply) => {
      const result = await limit(request);
      if (result.isAllowed || !result.isExceeded) return;
      reply.header('retry-after', result.ttlInSeconds);
      throw new OxyError(
        'rate_limited',
        `too many sign-in attempts ${what}; try again in ${result.ttlInSeconds} seconds`,
        { status: 429, details: { retryAfterSeconds: result.ttlInSeconds } },
      );
    };
  return { onRequest: enforce(byAddress, 'from this address'), preHandler: enforce(byAccount, 'for this account') };
}

/**
 * The per-account limit again for `POST /api/auth/password`, keyed by the signed-in user: a stolen
 * cookie must not guess the current password faster than a sign-in could.
 */
export async function passwordChangeLimitHook(
  app: FastifyInstance,
  limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
): Promise<Hook> {
  await app.register(rateLimit, { global: false });
  const byUser = app.createRateLimit({
    max: limits.perAccount.max,
    timeWindow: limits.perAccount.windowMs,
    keyGenerator: (request) => `user:${request.actor?.userId ?? request.ip}`,
  });
  return async (request, reply) => {
    const result = await byUser(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', result.ttlInSeconds);
    throw new OxyError(
      'rate_limited',
      `too many password attempts for this account; try again in ${result.ttlInSeconds} seconds`,
      { status: 429, details: { retryAfterSeconds: result.ttlInSeconds } },
    );
  };
}
