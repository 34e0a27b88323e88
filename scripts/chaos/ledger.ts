/**
 * The client side's record of what the engine acknowledged: started runs, tasks delivered to
 * pollers, and every Respond*, signal and cancel request answered 200. The invariant checker holds
 * the histories against it; a call that failed or got no answer is not in it (it may or may not
 * have been committed, and either is correct).
 */

export type TaskKind = 'decision' | 'activity';

export interface Delivery {
  kind: TaskKind;
  workflowId: string;
  runId: string;
  startedEventId: number;
  identity: string;
}

export type AckedRespond =
  | { op: 'RespondDecisionTaskCompleted'; runId: string; workflowId: string; startedEventId: number; decisions: number }
  | { op: 'RespondActivityTaskCompleted'; runId: string; workflowId: string; startedEventId: number; result: string }
  | { op: 'RespondActivityTaskFailed'; runId: string; workflowId: string; startedEventId: number; reason: string };

export class Ledger {
  /** workflowId -> runId of every StartWorkflowExecution answered 200. */
  readonly started = new Map<string, string>();
  readonly deliveries: Delivery[] = [];
  readonly responds: AckedRespond[] = [];
  /** Signals answered 200: the input is unique per call, so the history can be searched for it. */
  readonly signals: { workflowId: string; input: string }[] = [];
  readonly cancels: { workflowId: string }[] = [];
  /** Identities of pollers that died holding a task (killed mid-task, or storm polls that are never answered). */
  readonly abandoners = new Set<string>();
  /** Heartbeats answered 200 (they leave no history event; counted for the report). */
  heartbeats = 0;
  /** Errors the pollers and the starter saw, by name (connection refused while the engine is down, ...). */
  readonly clientErrors = new Map<string, number>();
  /** Faults injected, by kind. */
  readonly faults = new Map<string, number>();
  /** Notes from the injectors: what they checked and saw. */
  readonly notes: string[] = [];
  /** Problems the injectors found on the spot (a 5xx for bad input, a second engine that started, ...). */
  readonly problems: string[] = [];

  countError(name: string): void {
    this.clientErrors.set(name, (this.clientErrors.get(name) ?? 0) + 1);
  }

  countFault(kind: string, n = 1): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + n);
  }
}
