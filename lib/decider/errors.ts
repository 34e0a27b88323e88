/**
 * A programming or contract error in a workflow definition or a history (an invalid task key, a
 * result that is not JSON, a history event without its attributes). It is thrown, never turned
 * into a decision, unless the workflow asks for `onError: 'fail'`.
 */
export class DeciderError extends Error {
  override readonly name = 'DeciderError';
}

/** Thrown by a workflow's `parseInput`: the decider fails the execution with reason `InvalidInput`. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}
