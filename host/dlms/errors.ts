import { OperationError } from '../../toolchain/common/errors.ts';

// Every failure of the DLMS stack is one of these, so a caller (and the CLI) can tell a malformed frame from a
// refused association from a bad key. All are OperationError: the operation ran and failed (exit 1).

/** A frame or APDU that does not parse: truncated, bad tag, bad length, bad checksum. */
export class DlmsDecodeError extends OperationError {
  override name = 'DlmsDecodeError';
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`, { kind: 'decode', offset });
  }
}

/** Ciphering, authentication or invocation-counter failure. */
export class DlmsSecurityError extends OperationError {
  override name = 'DlmsSecurityError';
  constructor(message: string, readonly reason: SecurityFailure) {
    super(message, { kind: 'security', reason });
  }
}

export type SecurityFailure =
  | 'tag-mismatch'
  | 'wrong-response'
  | 'invocation-counter'
  | 'counter-jump'
  | 'reflection'
  | 'unknown-key'
  | 'policy'
  | 'signature';

/** A refused invocation counter, with the last one accepted (what an exception-response reports back). */
export class DlmsCounterError extends DlmsSecurityError {
  override name = 'DlmsCounterError';
  constructor(message: string, reason: 'invocation-counter' | 'counter-jump', readonly last: number) {
    super(message, reason);
  }
}

/** The peer answered, but with a refusal: AARE rejection, exception-response, data-access-result ≠ success. */
export class DlmsRejectedError extends OperationError {
  override name = 'DlmsRejectedError';
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { kind: 'rejected', ...details });
  }
}

/** The transport failed: connection refused, closed, timeout. */
export class DlmsTransportError extends OperationError {
  override name = 'DlmsTransportError';
  constructor(message: string) {
    super(message, { kind: 'transport' });
  }
}

/** No answer in time: on HDLC the frame is re-sent before this reaches the caller. */
export class DlmsTimeoutError extends DlmsTransportError {
  override name = 'DlmsTimeoutError';
}

/** A feature this implementation does not have; said loudly rather than faked. */
export class DlmsNotImplementedError extends OperationError {
  override name = 'DlmsNotImplementedError';
  constructor(what: string) {
    super(`not implemented: ${what}`, { kind: 'not-implemented' });
  }
}
