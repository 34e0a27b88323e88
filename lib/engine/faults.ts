/**
 * Typed faults. Every error a client can cause is one of these and is answered as HTTP 400 with
 * the `__type` that Amazon SWF (or the Coral framework in front of it) uses, so that
 * `@aws-sdk/client-swf` and botocore map it to the same exception class they would get from AWS.
 */

const SWF_NS = 'com.amazonaws.swf.base.model';

/** The modelled SWF faults (service model `errors`). */
export type SwfFaultName =
  | 'UnknownResourceFault'
  | 'OperationNotPermittedFault'
  | 'LimitExceededFault'
  | 'DefaultUndefinedFault'
  | 'DomainAlreadyExistsFault'
  | 'DomainDeprecatedFault'
  | 'TypeAlreadyExistsFault'
  | 'TypeDeprecatedFault'
  | 'TypeNotDeprecatedFault'
  | 'TooManyTagsFault'
  | 'WorkflowExecutionAlreadyStartedFault';

/** Unmodelled errors raised by the framework in front of the service. */
export type FrameworkFaultName =
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'InvalidSignatureException'
  | 'IncompleteSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'UnrecognizedClientException'
  | 'RequestEntityTooLargeException'
  | 'ServiceUnavailableException'
  | 'InternalFailure';

const FRAMEWORK_NS: Record<FrameworkFaultName, string> = {
  ValidationException: 'com.amazon.coral.validate',
  UnknownOperationException: 'com.amazon.coral.service',
  SerializationException: 'com.amazon.coral.service',
  InvalidSignatureException: 'com.amazon.coral.service',
  IncompleteSignatureException: 'com.amazon.coral.service',
  MissingAuthenticationTokenException: 'com.amazon.coral.service',
  UnrecognizedClientException: 'com.amazon.coral.service',
  RequestEntityTooLargeException: 'com.amazon.coral.service',
  ServiceUnavailableException: 'com.amazon.coral.service',
  InternalFailure: 'com.amazon.coral.service',
};

export class Fault extends Error {
  constructor(
    readonly faultName: SwfFaultName | FrameworkFaultName,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = faultName;
  }

  /** The wire `__type`, namespaced the way the live service does it. */
  get wireType(): string {
    const ns = (FRAMEWORK_NS as Record<string, string | undefined>)[this.faultName] ?? SWF_NS;
    return `${ns}#${this.faultName}`;
  }
}

export const unknownResource = (message: string): Fault => new Fault('UnknownResourceFault', message);
export const limitExceeded = (message: string): Fault => new Fault('LimitExceededFault', message);
export const defaultUndefined = (message: string): Fault => new Fault('DefaultUndefinedFault', message);
export const domainAlreadyExists = (message: string): Fault => new Fault('DomainAlreadyExistsFault', message);
export const domainDeprecated = (message: string): Fault => new Fault('DomainDeprecatedFault', message);
export const typeAlreadyExists = (message: string): Fault => new Fault('TypeAlreadyExistsFault', message);
export const typeDeprecated = (message: string): Fault => new Fault('TypeDeprecatedFault', message);
export const typeNotDeprecated = (message: string): Fault => new Fault('TypeNotDeprecatedFault', message);
export const tooManyTags = (message: string): Fault => new Fault('TooManyTagsFault', message);
export const operationNotPermitted = (message: string): Fault => new Fault('OperationNotPermittedFault', message);
export const alreadyStarted = (message: string): Fault =>
  new Fault('WorkflowExecutionAlreadyStartedFault', message);
export const serializationError = (message: string): Fault => new Fault('SerializationException', message);
export const unknownOperation = (message: string): Fault => new Fault('UnknownOperationException', message);

/**
 * A ValidationException in the Coral style:
 * `2 validation errors detected: Value null at 'domain' failed to satisfy constraint: ...; ...`.
 */
export function validationFault(violations: readonly string[]): Fault {
  const n = violations.length;
  const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
  return new Fault('ValidationException', head + violations.join('; '));
}

/** A ValidationException with a free-form message (semantic checks such as filter exclusivity). */
export const validationMessage = (message: string): Fault => new Fault('ValidationException', message);

/**
 * The database could not be written (disk full, I/O error): 503 ServiceUnavailableException, which
 * the SDKs retry. The call's transaction rolled back, so nothing of it was committed or answered.
 * Anything else is not a storage failure: undefined.
 */
export function storageFault(error: unknown): Fault | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') {
    return new Fault('ServiceUnavailableException', 'swf-local cannot write its database: the disk is full (SQLITE_FULL). Nothing of this call was committed; retry once space is freed', 503);
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) {
    return new Fault('ServiceUnavailableException', `swf-local cannot write its database: I/O error (${code}). Nothing of this call was committed; retry later`, 503);
  }
  return undefined;
}
