import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

// Every error the API answers is an RFC 9457 problem document (application/problem+json) with a
// stable `code` that clients switch on, and its title in English and Simplified Chinese, since the
// platform's users are both (stores and regulators in China, SDK vendors and developers abroad).

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

interface ProblemText {
  status: number;
  title: string;
  title_zh: string;
}

/** The catalogue of codes: one entry per kind of failure, so the same failure always reads the same. */
export const PROBLEMS = {
  'bad-request': { status: 400, title: 'The request is not valid', title_zh: '请求无效' },
  'invalid-body': { status: 400, title: 'The request body does not match the schema', title_zh: '请求体不符合模式' },
  'invalid-query': { status: 400, title: 'The query string does not match the schema', title_zh: '查询参数不符合模式' },
  'invalid-params': { status: 400, title: 'The path parameters are not valid', title_zh: '路径参数无效' },
  'invalid-json': { status: 400, title: 'The request body is not valid JSON', title_zh: '请求体不是有效的 JSON' },
  'invalid-cursor': { status: 400, title: 'The pagination cursor is not valid', title_zh: '分页游标无效' },
  'empty-upload': { status: 400, title: 'The upload is empty', title_zh: '上传内容为空' },
  'no-file': { status: 400, title: 'The multipart request has no file part', title_zh: '多部分请求中没有文件' },
  unauthenticated: { status: 401, title: 'Authentication is required', title_zh: '需要身份认证' },
  'invalid-token': { status: 401, title: 'The token is unknown, expired or revoked', title_zh: '令牌不存在、已过期或已撤销' },
  'session-expired': { status: 401, title: 'The session has expired', title_zh: '会话已过期' },
  'invalid-credentials': { status: 401, title: 'The login or the password is wrong', title_zh: '用户名或密码错误' },
  forbidden: { status: 403, title: 'Your role may not do this', title_zh: '您的角色无权执行此操作' },
  'csrf-required': {
    status: 403,
    title: 'A valid CSRF token (header x-csrf-token) is required',
    title_zh: '需要有效的 CSRF 令牌（请求头 x-csrf-token）',
  },
  'not-found': { status: 404, title: 'Not found', title_zh: '未找到' },
  'not-acceptable': { status: 406, title: 'This report cannot be rendered in that format', title_zh: '该报告无法以此格式呈现' },
  conflict: { status: 409, title: 'The request conflicts with existing data', title_zh: '请求与现有数据冲突' },
  'too-large': { status: 413, title: 'The request body is too large', title_zh: '请求体过大' },
  'unsupported-media-type': {
    status: 415,
    title: 'The content type or the file type is not supported',
    title_zh: '不支持的内容类型或文件类型',
  },
  'not-a-zip': {
    status: 415,
    title: 'The upload is not a ZIP archive (APK, AAB, JAR or AAR)',
    title_zh: '上传内容不是 ZIP 归档（APK、AAB、JAR 或 AAR）',
  },
  'login-locked': {
    status: 429,
    title: 'Too many failed logins for this account from this address; try later',
    title_zh: '该账户在此地址登录失败次数过多，请稍后再试',
  },
  'rate-limited': { status: 429, title: 'Too many requests; try later', title_zh: '请求过于频繁，请稍后再试' },
  internal: { status: 500, title: 'Internal error', title_zh: '内部错误' },
  unavailable: { status: 503, title: 'The service is not available; try later', title_zh: '服务暂不可用，请稍后再试' },
} as const satisfies Record<string, ProblemText>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The problem document's schema, declared on every route's 4xx and 5xx answers (and so in the OpenAPI description). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String({ description: 'English' }),
    title_zh: Type.String({ description: 'Simplified Chinese' }),
    status: Type.Integer(),
    code: Type.String({ description: 'stable; one of the PROBLEMS codes' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ pointer: Type.String({ description: 'RFC 6901 JSON pointer' }), message: Type.String() })),
    ),
  },
  { additionalProperties: true },
);

export const PROBLEM_RESPONSE = {
  description: 'A problem document (RFC 9457)',
  content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
};

/** One invalid field: its JSON pointer (RFC 6901) into the request part, and what is wrong. */
export interface FieldError {
  pointer: string;
  message: string;
}

/** Thrown by handlers and hooks; the error handler turns it into the problem document. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.name = 'ProblemError';
    this.status = PROBLEMS[code].status;
  }
}

export function problem(code: ProblemCode, detail?: string, extra?: ProblemError['extra']): ProblemError {
  return new ProblemError(code, detail, extra);
}

/** The problem document sent for `error`. */
export function problemBody(error: ProblemError, instance?: string): Record<string, unknown> {
  const text = PROBLEMS[error.code];
  return {
    type: `https://apprights.dev/problems/${error.code}`,
    title: text.title,
    title_zh: text.title_zh,
    status: text.status,
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(instance ? { instance } : {}),
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, error: ProblemError, request?: FastifyRequest): FastifyReply {
  if (error.extra.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.extra.retryAfterSeconds))));
  // A JSON pointer into a path would leak nothing, but the query string may carry a cursor: use the path only.
  const instance = request ? request.url.split('?')[0] : undefined;
  return reply.code(error.status).type(PROBLEM_MEDIA_TYPE).send(problemBody(error, instance));
}

interface AjvIssue {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Validation errors (TypeBox's, or Ajv's: the same shape) as JSON pointers: an unknown field names
 * itself, a missing one too. One entry per pointer.
 */
export function fieldErrors(issues: readonly AjvIssue[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const add = (pointer: string, message: string) => {
    if (seen.has(pointer) || out.length >= 20) return;
    seen.add(pointer);
    out.push({ pointer, message });
  };
  for (const issue of issues.slice(0, 50)) {
    const base = issue.instancePath ?? '';
    const params = issue.params ?? {};
    const names = (value: unknown): string[] =>
      (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string').slice(0, 20);
    if (issue.keyword === 'additionalProperties') {
      // TypeBox: params.additionalProperties is a list; Ajv: params.additionalProperty, one name.
      for (const name of names(params.additionalProperties ?? params.additionalProperty))
        add(`${base}/${escapePointer(name)}`, 'is not a known field');
    } else if (issue.keyword === 'required') {
      for (const name of names(params.requiredProperties ?? params.missingProperty)) add(`${base}/${escapePointer(name)}`, 'is required');
    } else if (issue.keyword === 'boolean' && issue.schemaPath?.endsWith('/additionalProperties')) {
      add(base, 'is not a known field');
    } else {
      add(base, issue.message ?? 'is not valid');
    }
  }
  return out;
}

const VALIDATION_CODES: Record<string, ProblemCode> = {
  body: 'invalid-body',
  querystring: 'invalid-query',
  params: 'invalid-params',
  headers: 'bad-request',
};

/** Maps what fastify and its plugins throw to a problem. */
export function toProblem(error: FastifyError | Error): ProblemError {
  if (error instanceof ProblemError) return error;
  const fe = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe.validation) {
    const code = VALIDATION_CODES[fe.validationContext ?? 'body'] ?? 'bad-request';
    const errors = fieldErrors(fe.validation);
    const where = fe.validationContext ?? 'body';
    const detail = errors.map((e) => `${where} ${e.pointer || '/'} ${e.message}`).join('; ');
    return new ProblemError(code, detail, { errors });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('too-large', fe.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError('unsupported-media-type', fe.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProblemError('bad-request', fe.message);
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return new ProblemError('csrf-required');
  }
  if (error instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new ProblemError('invalid-json', error.message);
  const status = fe.statusCode ?? 500;
  if (status === 404) return new ProblemError('not-found');
  if (status === 413) return new ProblemError('too-large', fe.message);
  if (status === 415) return new ProblemError('unsupported-media-type', fe.message);
  if (status === 429) return new ProblemError('rate-limited', fe.message);
  if (status >= 400 && status < 500) return new ProblemError('bad-request', fe.message);
  return new ProblemError('internal');
}
