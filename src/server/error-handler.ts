import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OxyError } from '../errors.js';

/** One place turns every failure into `{"error":{"code","message","details"}}` with its status. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | OxyError, request, reply) => {
    if (error instanceof OxyError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply
        .status(error.status)
        .send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const fields = fastifyError.validation.map((v) => {
        const params = v.params as { missingProperty?: string; additionalProperty?: string };
        const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        const field = [path, params.missingProperty ?? params.additionalProperty].filter(Boolean).join('.');
        return { field: field || (fastifyError.validationContext ?? 'body'), message: v.message ?? 'is invalid' };
      });
      return reply
        .status(400)
        .send({ error: { code: 'validation', message: fastifyError.message, details: { fields } } });
    }
    const status = fastifyError.statusCode && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send({
      error: {
        code: status >= 500 ? 'internal' : (fastifyError.code ?? 'bad_request').toLowerCase(),
        message: status >= 500 ? 'internal server error' : fastifyError.message,
      },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}

/**
 * Fastify's `frameworkErrors` option: what the router refuses before any route runs (a path that
 * is not valid percent-encoded UTF-8, an over-long parameter) in the same envelope as the rest.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.status(status).send({
    error: {
      code: error.code === 'FST_ERR_BAD_URL' ? 'bad_url' : (error.code ?? 'bad_request').toLowerCase(),
      message: error.message,
    },
  });
}
