import type { CosemData } from '../axdr.ts';
import type { AccessSelection } from '../xdlms.ts';

// The contract every COSEM interface class implements (one file per class in this folder). Attribute 1 (logical
// name) is answered here once for all classes.

export interface CosemContext {
  /** The association the request came through (for Association LN's object list, access rights). */
  association: { clientSap: number; name: string };
  now(): Date;
}

/** A data-access-result or action-result other than success. */
export class AccessFault {
  constructor(readonly code: number, readonly why: string) {}
}

export interface CosemObject {
  readonly classId: number;
  readonly version: number;
  readonly ln: Uint8Array;
  /** Number of attributes and methods, for the object list's access rights. */
  readonly attributeCount: number;
  readonly methodCount: number;
  /**
   * What the class can do at all, whatever an access rule grants: the attributes set() may change and the methods
   * action() carries out. The rights an association advertises in its object list are its rule intersected with
   * these (access.ts), so the list never offers what the server then refuses (issue 16).
   */
  readonly settable: readonly number[];
  readonly invocable: readonly number[];
  get(attr: number, ctx: CosemContext, access?: AccessSelection): CosemData | AccessFault;
  set(attr: number, value: CosemData, ctx: CosemContext): AccessFault | undefined;
  action(method: number, params: CosemData | undefined, ctx: CosemContext): { data?: CosemData } | AccessFault;
}

// Codes shared by the classes (Green Book data-access-result / action-result).
export const FAULT = {
  readWriteDenied: 3,
  objectUndefined: 4,
  typeUnmatched: 12,
  scopeOfAccessViolated: 13,
  otherReason: 250,
} as const;

export const noSuchAttribute = (attr: number) => new AccessFault(FAULT.objectUndefined, `no attribute ${attr}`);
export const noSuchMethod = (m: number) => new AccessFault(FAULT.objectUndefined, `no method ${m}`);
export const readOnly = (attr: number) => new AccessFault(FAULT.readWriteDenied, `attribute ${attr} is read-only`);
export const typeMismatch = (what: string) => new AccessFault(FAULT.typeUnmatched, what);
