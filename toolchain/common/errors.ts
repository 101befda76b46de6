// Typed errors shared by every tool. The CLI maps them to exit codes (../shared/CLI.md):
// 2 for bad usage or bad input, 1 for an operation that ran and failed.

/** Where in an input file something went wrong. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

/** Bad command-line usage: unknown flag, missing argument (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input data: unreadable file, syntax error, invalid board (exit 2). Carries file:line when known. */
export class InputError extends Error {
  override name = 'InputError';
  /** The message without its location. */
  readonly reason: string;
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(location ? `${formatLocation(location)}: ${message}` : message);
    this.reason = message;
  }
}

/**
 * Several input errors as one, so a user fixes them in one round (exit 2 once): the first error's location, then one
 * line per further error with its own location, and a count of those left out past `limit`.
 */
export function combineInputErrors(errors: readonly InputError[], limit = errors.length): InputError {
  const [first, ...rest] = errors;
  if (!first) throw new Error('combineInputErrors: no errors');
  if (rest.length === 0) return first;
  const shown = rest.slice(0, Math.max(0, limit - 1)).map((e) => e.message);
  const more = errors.length - 1 - shown.length;
  if (more > 0) shown.push(`(${more} more ${more === 1 ? 'error' : 'errors'} not shown)`);
  return new InputError([first.reason, ...shown].join('\n'), first.location);
}

/** The operation ran and failed: a trap, a wrong key, a divergence (exit 1). */
export class OperationError extends Error {
  override name = 'OperationError';
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
