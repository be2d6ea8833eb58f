import type { FastifyReply } from 'fastify';

/**
 * A signal that fires when the client goes away before its response was sent in full (the
 * socket closed, the HTTP/2 stream reset), so the statement it asked for is cancelled on the
 * database server rather than run to the end for nobody. The request's own `close` is no use:
 * it fires as soon as the body was read.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller.signal;
}
