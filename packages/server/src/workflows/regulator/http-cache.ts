import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagOf, notModified } from '../../http/public-cache.js';

// Public (anonymous) answers are cacheable: a strong ETag over the exact body, a short max-age so
// a published change shows within a minute, and 304 when the client already holds it.

export const PUBLIC_CACHE_CONTROL = 'public, max-age=60';

export function sendCached(request: FastifyRequest, reply: FastifyReply, body: string, contentType: string): FastifyReply {
  const etag = etagOf(body);
  reply.header('etag', etag).header('cache-control', PUBLIC_CACHE_CONTROL).header('vary', 'accept-encoding');
  if (notModified(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(contentType).send(body);
}
