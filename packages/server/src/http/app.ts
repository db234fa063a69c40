import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Redis } from 'ioredis';
import type { Readable } from 'node:stream';
import { AdminError } from '../admin.js';
import { BlobTooLargeError } from '../blobs/store.js';
import type { Platform } from '../platform.js';
import { accessKey, type RouteAccess } from './access.js';
import { ACCESS } from './access-table.js';
import { authenticate, csrfSatisfied } from './auth.js';
import { HttpMetrics } from './metrics.js';
import { DEFAULT_PUBLIC_CACHE_MS, PublicCache } from './public-cache.js';
import { problem, PROBLEM_RESPONSE, ProblemError, sendProblem, toProblem } from './problems.js';
import { adminRoutes } from './routes/admin.js';
import { appRoutes } from './routes/apps.js';
import { jobRoutes } from './routes/jobs.js';
import { opsRoutes } from './routes/ops.js';
import { packageRoutes } from './routes/packages.js';
import { sessionRoutes } from './routes/sessions.js';
import type { Api, AppContext } from './context.js';
import { WORKFLOWS } from '../workflows/index.js';
import { consoleRoutes } from '../console/routes.js';
import { consoleRefusal } from '../console/forms.js';
import { consoleAppRoutes } from '../console/pages.js';
import { consoleExtraRoutes } from '../console/more.js';

// The REST API v1 over a Platform. Order of a request: authenticate (who) → rate limit (per
// principal, or per address when anonymous) → authorise (the route's entry in ACCESS, and CSRF for
// cookie sessions) → body parsing and schema validation → handler. Authorisation runs before the
// body is read, so a caller without the role never gets an upload streamed to disk.

/** The fastify instance the routes are written against (TypeBox schemas type the handlers). */
export type { Api, AppContext } from './context.js';

export interface AppOptions {
  /** fastify's logger (default off: the CLI's serve turns it on). */
  logger?: boolean;
  /** Honour X-Forwarded-For (behind a reverse proxy): the client address feeds the login lockout and the rate limit. */
  trustProxy?: boolean;
}

/** Line-oriented imports sent as the raw request body (CSV, JSON Lines). */
export const STREAMED_TEXT_MEDIA_TYPES = [
  'text/csv',
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
  'application/json-seq',
];

/** Media types of a package sent as the raw request body. */
export const PACKAGE_MEDIA_TYPES = [
  'application/octet-stream',
  'application/vnd.android.package-archive',
  'application/zip',
  'application/java-archive',
];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by the onRoute hook from ACCESS. */
    access?: RouteAccess;
    accessKey?: string;
    /** A console page (src/console): refusals redirect to sign-in; CSRF is checked on the form field. */
    consolePage?: boolean;
  }
}

const SUCCESS_RESPONSE = { description: 'Success', type: 'object', additionalProperties: true };

/** Routes whose unsafe method needs no CSRF token: login (there is no session yet to hold one). */
const CSRF_EXEMPT = new Set(['POST /api/v1/sessions']);

/** Database faults that a retry fixes (PostgreSQL restarting, SQLite locked): 503 + Retry-After, not 500. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // node-postgres reports a connection dropped mid-query and a full pool without a code.
  if (typeof code !== 'string') {
    const message = (error as { message?: unknown })?.message;
    return typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect)/.test(message);
  }
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_LOCKED', '57P01', '57P02', '57P03', '53300'].includes(
      code,
    ) || code.startsWith('08')
  );
}

export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<Api> {
  const { config } = platform;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: config.maxJsonBytes,
    exposeHeadRoutes: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox's own checker: unknown fields are refused (not silently dropped, as fastify's default
  // Ajv setup does), and a body is checked as sent, without coercion ("5" is not an integer);
  // query strings and path parameters, which are text by nature, are converted first.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  const metrics = new HttpMetrics();
  const ctx: AppContext = {
    platform,
    metrics,
    publicCache: new PublicCache({
      ttlMs: config.publicCacheMs ?? DEFAULT_PUBLIC_CACHE_MS,
      counters: metrics.counters,
      // SQLite builds on the event loop: rebuilds get a quarter of its time, one or two at a turn, and
      // no turn starts builds for more than a few milliseconds (so new connections are accepted and
      // cached answers sent between them). PostgreSQL builds mostly wait for the database (a pool of
      // 10): no time budget, four at once, first visits at once.
      ...(platform.store.dialect === 'postgres' ? { buildShare: 1, maxBuilds: 4 } : { turnMs: 3 }),
    }),
  };

  // Builds of public pages wait while connections are being accepted (see PublicCache.connectionOpened).
  app.server.on('connection', () => ctx.publicCache.connectionOpened());
  app.decorateRequest('auth', null as never);
  app.setErrorHandler((error: Error, request, reply) => {
    let p: ProblemError;
    if (error instanceof AdminError) {
      p = problem(error.code, `${error.en} / ${error.zh}`);
    } else if (error instanceof BlobTooLargeError) {
      // The rest of the body is not read: close the connection instead of draining it.
      reply.header('connection', 'close');
      p = problem('too-large', error.message);
    } else if (isUnavailable(error)) {
      p = problem('unavailable', undefined, { retryAfterSeconds: 5 });
    } else {
      p = toProblem(error);
    }
    if (p.status >= 500 && p.code === 'internal') request.log.error({ err: error }, 'unhandled error');
    if (p.code === 'too-large') reply.header('connection', 'close');
    return sendProblem(reply, p, request);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`), request),
  );

  await app.register(cookie);
  // Helmet's security headers on every answer, from middleware made once: @fastify/helmet made it
  // again for each request (parsing the policy each time), a sixth of the server's work per request.
  const securityHeaders = helmet({
    // The API answers JSON; the only HTML is a rendered report, which sets its own policy.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AppRights platform API',
        version: '1',
        description:
          'Packages in, checks as jobs, reports out. Errors are application/problem+json with a stable `code` and titles in English and Chinese.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (ar_…), from POST /api/v1/tokens or `apprights admin create-user --print-token`.',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ar_session',
            description: 'A console session; unsafe methods also need the x-csrf-token header.',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  app.addHook('onRequest', async (request) => {
    request.auth = await authenticate(platform, request);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined;
  if (redis) {
    redis.on('error', () => {});
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    ...(redis ? { redis, nameSpace: 'apprights-rl-', skipOnError: true } : {}),
    // Liveness and readiness probes are never limited: an orchestrator polling them must not restart a busy node.
    allowList: (request) => request.url === '/health/live' || request.url === '/health/ready',
    keyGenerator: (request) => {
      const principal = request.auth?.principal;
      return principal ? `user:${principal.userId}:${principal.orgId}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      metrics.counters.rateLimited++;
      return problem('rate-limited', `more than ${context.max} requests per minute / 每分钟超过 ${context.max} 次请求`, {
        retryAfterSeconds: context.ttl / 1000,
      });
    },
  });

  // Every route must have its entry in ACCESS (checked here, at registration, and by the meta-test);
  // the authorisation hook is added after the rate limiter's, so a refused caller still counts.
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const key = accessKey(method, route.url);
      const access = ACCESS[key];
      if (!access) throw new Error(`route ${key} has no entry in src/http/access.ts`);
      registered.push(key);
      route.config = { ...(route.config as object), access, accessKey: key };
    }
    const schema = (route.schema ?? {}) as { response?: Record<string, unknown> };
    // Successes are described loosely (any JSON object) unless the route says more; failures are problem documents.
    const success = schema.response && Object.keys(schema.response).some((code) => code.startsWith('2')) ? {} : { '2xx': SUCCESS_RESPONSE };
    route.schema = { ...schema, response: { ...success, ...schema.response, '4xx': PROBLEM_RESPONSE, '5xx': PROBLEM_RESPONSE } };
    const authorise = async (request: FastifyRequest, reply: FastifyReply) => {
      const key = request.routeOptions.config.accessKey!;
      const access = request.routeOptions.config.access!;
      // The console's pages answer people, not programs: a refusal is a redirect to the sign-in page
      // (which comes back here after login), and their forms carry the CSRF token in a field that
      // the console checks once the body is read (src/console/forms.ts).
      const page = request.routeOptions.config.consolePage === true;
      const { principal, failure } = request.auth;
      if (failure === 'invalid-token') throw problem('invalid-token');
      if (!principal) {
        if (access.roles.includes('anonymous')) return;
        if (page) return consoleRefusal(request, reply, failure === 'session-expired' ? 'expired' : 'signed-out');
        throw problem(failure === 'session-expired' ? 'session-expired' : 'unauthenticated');
      }
      if (!access.roles.includes(principal.role)) {
        if (page) return consoleRefusal(request, reply, 'other-role');
        throw problem('forbidden', `${key}: ${access.roles.join(', ')}`);
      }
      if (page) return;
      if (!CSRF_EXEMPT.has(key) && !csrfSatisfied(request, principal)) throw problem('csrf-required');
    };
    const existing = route.onRequest;
    route.onRequest = existing === undefined ? [authorise] : Array.isArray(existing) ? [...existing, authorise] : [existing, authorise];
  });
  app.decorate('registeredRoutes', registered);

  // A package as the raw body or in a multipart form: the stream goes to the handler unread (no
  // bodyLimit buffering); forms are read by http/multipart/reader.ts, the blob store enforcing the cap.
  app.addContentTypeParser([...PACKAGE_MEDIA_TYPES, 'multipart/form-data'], (_request, payload, done) => done(null, payload as Readable));
  // Imports (renewal charges and reminders, permission-usage records) likewise reach their routes as
  // streams, read line by line with their own limits; registered once here for every workflow.
  app.addContentTypeParser(STREAMED_TEXT_MEDIA_TYPES, (_request, payload, done) => done(null, payload as Readable));

  await app.register(
    async (api) => {
      const typed = api as unknown as Api;
      sessionRoutes(typed, ctx);
      adminRoutes(typed, ctx);
      packageRoutes(typed, ctx);
      jobRoutes(typed, ctx);
      appRoutes(typed, ctx);
      for (const workflow of WORKFLOWS) workflow.routes?.(typed, ctx);
      typed.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );
  opsRoutes(app as unknown as Api, ctx);
  consoleRoutes(app as unknown as Api, ctx);
  // Signed-in pages, in a context of their own: only they parse HTML forms (urlencoded bodies).
  await app.register(async (pages) => {
    consoleAppRoutes(pages as unknown as Api, ctx);
    consoleExtraRoutes(pages as unknown as Api, ctx);
  });
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** "METHOD path" of every route, as registered (the meta-test compares it with ACCESS). */
    registeredRoutes: string[];
  }
}

export type { FastifyReply };
