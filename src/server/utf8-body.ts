import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decode(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new ValidationError('the request body is not valid UTF-8; send JSON encoded as UTF-8', [
      { field: 'body', message: 'is not valid UTF-8' },
    ]);
  }
}

/**
 * JSON bodies must be valid UTF-8: a malformed byte is refused with 400 instead of becoming U+FFFD
 * (which would store something other than what was sent). Plain text is not accepted at all (415):
 * the API speaks JSON, and a text/plain POST is what a cross-site form can send without a preflight.
 */
export function installUtf8BodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decode(body as Buffer);
    } catch (error) {
      return done(error as Error, undefined);
    }
    parseJson(request, text, done);
  });
}
