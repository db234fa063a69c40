import { ApkFormatError } from '@apprights/apk';
import { PolicyInputError } from '@apprights/policy';
import { ConfigError } from '@apprights/rules';
import { TraceInputError } from '@apprights/runtime';

/** Text in both languages a user may see; `en` is also the error's `message`. */
export interface ErrorText {
  en: string;
  zh: string;
}

/**
 * Every error the engine raises on purpose. A caller (the CLI, the platform's job runner) can tell
 * the user's bad input from a limit, an abort and a bug in AppRights by the class alone, and a
 * program can branch on the stable `code`; anything else escaping the engine is a bug.
 */
export abstract class EngineError extends Error {
  abstract readonly kind: 'input' | 'limit' | 'abort';
  readonly text: ErrorText;
  constructor(
    readonly code: string,
    text: ErrorText | string,
    /** The file, URL or field the problem concerns, when there is one. */
    readonly subject?: string,
  ) {
    const both = typeof text === 'string' ? { en: text, zh: text } : text;
    super(both.en);
    this.text = both;
  }
}

/**
 * The user's input is not what it claims or cannot be read: a corrupt package, a policy that is not
 * a policy, a trace line that is not an event, an unknown app type, a bad configuration. Retrying
 * the same input gives the same error. Codes: the package reader's (`not-zip`, `zip-corrupt`,
 * `dex-corrupt`, ..., `io`), `policy`, `trace`, `config`, `app-type`, `store-listing`, `report`.
 */
export class InputError extends EngineError {
  readonly kind = 'input' as const;
  override readonly name = 'InputError';
}

/** The input is larger, deeper or slower than a configured limit allows (`limit`, `zip-limit`). */
export class LimitError extends EngineError {
  readonly kind = 'limit' as const;
  override readonly name = 'LimitError';
}

/** The caller's AbortSignal fired; nothing was produced. */
export class AbortError extends EngineError {
  readonly kind = 'abort' as const;
  override readonly name = 'AbortError';
  constructor(reason?: unknown) {
    const detail = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
    super('aborted', { en: `aborted${detail ? `: ${detail}` : ''}`, zh: `已中止${detail ? `：${detail}` : ''}` });
  }
}

/**
 * The engine's typed error for a failure of a lower layer: the readers' own errors become an
 * InputError or a LimitError with their code and message; anything else is returned as it is (a bug).
 */
export function asEngineError(error: unknown, subject?: string): unknown {
  if (error instanceof EngineError) return error;
  if (error instanceof ApkFormatError) {
    const Kind = error.code === 'limit' || error.code === 'zip-limit' ? LimitError : InputError;
    return new Kind(error.code, error.message, subject);
  }
  if (error instanceof PolicyInputError) return new InputError('policy', error.message, subject);
  if (error instanceof TraceInputError) return new InputError('trace', error.message, subject);
  if (error instanceof ConfigError) return new InputError('config', error.message, subject);
  if (isAbort(error)) return new AbortError(error);
  return error;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR');
}

/** Throws the engine's AbortError when the signal has fired. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}
