// What the route modules take from the app: the typed Fastify instance and the platform it serves.
// Apart from app.ts, so the routes that app.ts registers do not import it back.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Platform } from '../platform.js';
import type { HttpMetrics } from './metrics.js';
import type { PublicCache } from './public-cache.js';

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppContext {
  platform: Platform;
  metrics: HttpMetrics;
  /** Anonymous public answers, built once every few seconds (public-cache.ts). */
  publicCache: PublicCache;
}
