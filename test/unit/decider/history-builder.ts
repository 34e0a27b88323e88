/**
 * HistoryBuilder: writes SWF histories for unit tests, with contiguous event ids and the engine's
 * bookkeeping (swf-spec.md section 4): at most one decision task outstanding, a DecisionTaskScheduled
 * for every event marked "D", UNHANDLED_DECISION for a close while a new decision task is pending,
 * and `respond(decisions)` applying a decision batch the way swf-local does. Timestamps start at a
 * fixed instant and move by `tickMs` per event (plus `advance`), so built histories are identical
 * on every run.
 *
 *   const h = new HistoryBuilder().start({ videoId: 'v1' });
 *   const d = decide(workflow, h.poll());   // DecisionTaskStarted, then the history so far
 *   h.respond(d).lambdaCompleted('probe', { ok: true });
 */
import type { Decision, EventType, HistoryEvent } from '@aws-sdk/client-swf';

/** 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

type Attrs = Record<string, unknown>;

export interface StartOptions {
  workflowType?: { name: string; version: string };
  taskList?: string;
  childPolicy?: string;
  executionStartToCloseTimeout?: string;
  taskStartToCloseTimeout?: string;
  lambdaRole?: string;
  tagList?: string[];
  continuedExecutionRunId?: string;
}

interface OpenTask {
  scheduledEventId: number;
  startedEventId?: number;
  cancelRequestedEventId?: number;
}

export class HistoryBuilder {
  private readonly list: HistoryEvent[] = [];
  private clock: number;
  private readonly tickMs: number;
  /** The outstanding decision task (scheduled, maybe started) and whether another is pending behind it. */
  private decision: { scheduledEventId: number; startedEventId?: number } | null = null;
  private pendingScheduledEventId: number | null = null;
  private closedRun = false;
  private readonly activities = new Map<string, OpenTask>();
  private readonly lambdas = new Map<string, OpenTask>();
  private readonly timers = new Map<string, number>();
  private taskList = 'deciders';
  private readonly refusals = new Map<string, string>();

  constructor(options: { start?: number; tickMs?: number } = {}) {
    this.clock = options.start ?? T0;
    this.tickMs = options.tickMs ?? 100;
  }

  /** A copy of the events so far. */
  get events(): HistoryEvent[] {
    return this.list.map((e) => ({ ...e }));
  }

  get lastEventId(): number {
    return this.list.length;
  }

  get closed(): boolean {
    return this.closedRun;
  }

  /** Moves the clock. */
  advance(ms: number): this {
    this.clock += ms;
    return this;
  }

  /** Appends any event; `attrs` go in its `<lowerCamel>EventAttributes` member. Returns its id. */
  add(eventType: EventType, attrs: Attrs = {}): number {
    const eventId = this.list.length + 1;
    const member = `${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}EventAttributes`;
    this.list.push({ eventId, eventType, eventTimestamp: new Date(this.clock), [member]: attrs } as HistoryEvent);
    this.clock += this.tickMs;
    return eventId;
  }

  /** requestDecision() of the engine. */
  private requestDecision(): void {
    if (this.closedRun) return;
    if (this.decision === null) {
      const id = this.add('DecisionTaskScheduled', { taskList: { name: this.taskList }, startToCloseTimeout: '60' });
      this.decision = { scheduledEventId: id };
    } else if (this.decision.startedEventId !== undefined && this.pendingScheduledEventId === null) {
      this.pendingScheduledEventId = this.add('DecisionTaskScheduled', { taskList: { name: this.taskList }, startToCloseTimeout: '60' });
    }
  }

  /** WorkflowExecutionStarted (input JSON-encoded unless a string) and the first decision task. */
  start(input?: unknown, options: StartOptions = {}): this {
    this.taskList = options.taskList ?? 'deciders';
    this.add('WorkflowExecutionStarted', {
      ...(input !== undefined ? { input: typeof input === 'string' ? input : JSON.stringify(input) } : {}),
      executionStartToCloseTimeout: options.executionStartToCloseTimeout ?? '3600',
      taskStartToCloseTimeout: options.taskStartToCloseTimeout ?? '60',
      childPolicy: options.childPolicy ?? 'TERMINATE',
      taskList: { name: this.taskList },
      workflowType: options.workflowType ?? { name: 'Flow', version: '1' },
      ...(options.lambdaRole !== undefined ? { lambdaRole: options.lambdaRole } : {}),
      ...(options.tagList !== undefined ? { tagList: options.tagList } : {}),
      ...(options.continuedExecutionRunId !== undefined ? { continuedExecutionRunId: options.continuedExecutionRunId } : {}),
      parentInitiatedEventId: 0,
    });
    this.requestDecision();
    return this;
  }

  /** Starts the scheduled decision task (DecisionTaskStarted) and returns the history a poll would. */
  poll(identity = 'decider'): HistoryEvent[] {
    if (!this.decision || this.decision.startedEventId !== undefined) throw new Error('no decision task to start');
    this.decision.startedEventId = this.add('DecisionTaskStarted', { scheduledEventId: this.decision.scheduledEventId, identity });
    return this.events;
  }

  /** The started decision task times out; a new one is scheduled. */
  decisionTimedOut(): this {
    if (!this.decision?.startedEventId) throw new Error('no started decision task');
    this.add('DecisionTaskTimedOut', { timeoutType: 'START_TO_CLOSE', scheduledEventId: this.decision.scheduledEventId, startedEventId: this.decision.startedEventId });
    this.decision = this.pendingScheduledEventId !== null ? { scheduledEventId: this.pendingScheduledEventId } : null;
    this.pendingScheduledEventId = null;
    if (!this.decision) this.requestDecision();
    return this;
  }

  /** The next ScheduleActivityTask / ScheduleLambdaFunction for `id` is refused with `cause`. */
  refuse(id: string, cause: string): this {
    this.refusals.set(id, cause);
    return this;
  }

  /** RespondDecisionTaskCompleted: DecisionTaskCompleted, then each decision applied in order. */
  respond(decisions: Decision[], executionContext?: string): this {
    if (!this.decision?.startedEventId) throw new Error('no started decision task');
    const dtc = this.add('DecisionTaskCompleted', {
      scheduledEventId: this.decision.scheduledEventId,
      startedEventId: this.decision.startedEventId,
      ...(executionContext !== undefined ? { executionContext } : {}),
    });
    const hadPending = this.pendingScheduledEventId !== null;
    this.decision = hadPending ? { scheduledEventId: this.pendingScheduledEventId! } : null;
    this.pendingScheduledEventId = null;
    for (const d of decisions) {
      if (this.closedRun) break;
      this.apply(d, dtc, hadPending);
    }
    return this;
  }

  private apply(d: Decision, dtc: number, hadPending: boolean): void {
    const closeOrUnhandled = (failedType: EventType, closedType: EventType, attrs: Attrs) => {
      if (hadPending) {
        this.add(failedType, { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
        this.requestDecision();
      } else {
        this.add(closedType, { ...attrs, decisionTaskCompletedEventId: dtc });
        this.closedRun = true;
      }
    };
    switch (d.decisionType) {
      case 'ScheduleActivityTask': {
        const a = d.scheduleActivityTaskDecisionAttributes!;
        const refused = this.refusals.get(a.activityId!) ?? (this.activities.has(a.activityId!) ? 'ACTIVITY_ID_ALREADY_IN_USE' : undefined);
        if (refused) {
          this.refusals.delete(a.activityId!);
          this.add('ScheduleActivityTaskFailed', { activityType: a.activityType, activityId: a.activityId, cause: refused, decisionTaskCompletedEventId: dtc });
          this.requestDecision();
          return;
        }
        const id = this.add('ActivityTaskScheduled', {
          activityType: a.activityType,
          activityId: a.activityId,
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          taskList: a.taskList ?? { name: 'default' },
          scheduleToStartTimeout: a.scheduleToStartTimeout ?? '300',
          scheduleToCloseTimeout: a.scheduleToCloseTimeout ?? '600',
          startToCloseTimeout: a.startToCloseTimeout ?? '300',
          heartbeatTimeout: a.heartbeatTimeout ?? 'NONE',
          decisionTaskCompletedEventId: dtc,
        });
        this.activities.set(a.activityId!, { scheduledEventId: id });
        return;
      }
      case 'ScheduleLambdaFunction': {
        const a = d.scheduleLambdaFunctionDecisionAttributes!;
        const refused = this.refusals.get(a.id!) ?? (this.lambdas.has(a.id!) ? 'ID_ALREADY_IN_USE' : undefined);
        if (refused) {
          this.refusals.delete(a.id!);
          this.add('ScheduleLambdaFunctionFailed', { id: a.id, name: a.name, cause: refused, decisionTaskCompletedEventId: dtc });
          this.requestDecision();
          return;
        }
        const id = this.add('LambdaFunctionScheduled', {
          id: a.id,
          name: a.name,
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          startToCloseTimeout: a.startToCloseTimeout ?? '900',
          decisionTaskCompletedEventId: dtc,
        });
        this.lambdas.set(a.id!, { scheduledEventId: id });
        return;
      }
      case 'RequestCancelActivityTask': {
        const activityId = d.requestCancelActivityTaskDecisionAttributes!.activityId!;
        const open = this.activities.get(activityId);
        if (!open) {
          this.add('RequestCancelActivityTaskFailed', { activityId, cause: 'ACTIVITY_ID_UNKNOWN', decisionTaskCompletedEventId: dtc });
          this.requestDecision();
          return;
        }
        open.cancelRequestedEventId = this.add('ActivityTaskCancelRequested', { activityId, decisionTaskCompletedEventId: dtc });
        if (open.startedEventId === undefined) {
          this.add('ActivityTaskCanceled', { scheduledEventId: open.scheduledEventId, startedEventId: 0, latestCancelRequestedEventId: open.cancelRequestedEventId });
          this.activities.delete(activityId);
          this.requestDecision();
        }
        return;
      }
      case 'StartTimer': {
        const a = d.startTimerDecisionAttributes!;
        if (this.timers.has(a.timerId!)) {
          this.add('StartTimerFailed', { timerId: a.timerId, cause: 'TIMER_ID_ALREADY_IN_USE', decisionTaskCompletedEventId: dtc });
          this.requestDecision();
          return;
        }
        const id = this.add('TimerStarted', { timerId: a.timerId, startToFireTimeout: a.startToFireTimeout, ...(a.control !== undefined ? { control: a.control } : {}), decisionTaskCompletedEventId: dtc });
        this.timers.set(a.timerId!, id);
        return;
      }
      case 'CancelTimer': {
        const timerId = d.cancelTimerDecisionAttributes!.timerId!;
        const started = this.timers.get(timerId);
        if (started === undefined) {
          this.add('CancelTimerFailed', { timerId, cause: 'TIMER_ID_UNKNOWN', decisionTaskCompletedEventId: dtc });
          this.requestDecision();
          return;
        }
        this.add('TimerCanceled', { timerId, startedEventId: started, decisionTaskCompletedEventId: dtc });
        this.timers.delete(timerId);
        return;
      }
      case 'RecordMarker': {
        const a = d.recordMarkerDecisionAttributes!;
        this.add('MarkerRecorded', { markerName: a.markerName, ...(a.details !== undefined ? { details: a.details } : {}), decisionTaskCompletedEventId: dtc });
        return;
      }
      case 'CompleteWorkflowExecution':
        closeOrUnhandled('CompleteWorkflowExecutionFailed', 'WorkflowExecutionCompleted', { ...(d.completeWorkflowExecutionDecisionAttributes?.result !== undefined ? { result: d.completeWorkflowExecutionDecisionAttributes.result } : {}) });
        return;
      case 'FailWorkflowExecution':
        closeOrUnhandled('FailWorkflowExecutionFailed', 'WorkflowExecutionFailed', { ...d.failWorkflowExecutionDecisionAttributes });
        return;
      case 'CancelWorkflowExecution':
        closeOrUnhandled('CancelWorkflowExecutionFailed', 'WorkflowExecutionCanceled', { ...d.cancelWorkflowExecutionDecisionAttributes });
        return;
      case 'ContinueAsNewWorkflowExecution': {
        const a = d.continueAsNewWorkflowExecutionDecisionAttributes ?? {};
        closeOrUnhandled('ContinueAsNewWorkflowExecutionFailed', 'WorkflowExecutionContinuedAsNew', {
          ...a,
          newExecutionRunId: 'run-2',
          taskList: a.taskList ?? { name: this.taskList },
          childPolicy: a.childPolicy ?? 'TERMINATE',
          workflowType: { name: 'Flow', version: a.workflowTypeVersion ?? '1' },
        });
        return;
      }
      case 'StartChildWorkflowExecution': {
        const a = d.startChildWorkflowExecutionDecisionAttributes!;
        this.add('StartChildWorkflowExecutionInitiated', { ...a, taskList: a.taskList ?? { name: 'default' }, childPolicy: a.childPolicy ?? 'TERMINATE', decisionTaskCompletedEventId: dtc });
        return;
      }
      case 'SignalExternalWorkflowExecution':
        this.add('SignalExternalWorkflowExecutionInitiated', { ...d.signalExternalWorkflowExecutionDecisionAttributes, decisionTaskCompletedEventId: dtc });
        return;
      case 'RequestCancelExternalWorkflowExecution':
        this.add('RequestCancelExternalWorkflowExecutionInitiated', { ...d.requestCancelExternalWorkflowExecutionDecisionAttributes, decisionTaskCompletedEventId: dtc });
        return;
      default:
        throw new Error(`HistoryBuilder cannot apply ${d.decisionType}`);
    }
  }

  // ---- activities ----
  private openActivity(activityId: string): OpenTask {
    const t = this.activities.get(activityId);
    if (!t) throw new Error(`no open activity ${activityId}`);
    return t;
  }
  activityStarted(activityId: string, identity = 'worker'): this {
    const t = this.openActivity(activityId);
    if (t.startedEventId !== undefined) throw new Error(`activity ${activityId} already started`);
    t.startedEventId = this.add('ActivityTaskStarted', { scheduledEventId: t.scheduledEventId, identity });
    return this;
  }
  private closeActivity(activityId: string, eventType: EventType, attrs: Attrs, autoStart = true): this {
    const t = this.openActivity(activityId);
    if (autoStart && t.startedEventId === undefined) this.activityStarted(activityId);
    this.add(eventType, { ...attrs, scheduledEventId: t.scheduledEventId, startedEventId: t.startedEventId ?? 0 });
    this.activities.delete(activityId);
    this.requestDecision();
    return this;
  }
  activityCompleted(activityId: string, result?: unknown): this {
    return this.closeActivity(activityId, 'ActivityTaskCompleted', result !== undefined ? { result: JSON.stringify(result) } : {});
  }
  activityFailed(activityId: string, reason: string, details?: string): this {
    return this.closeActivity(activityId, 'ActivityTaskFailed', { reason, ...(details !== undefined ? { details } : {}) });
  }
  activityTimedOut(activityId: string, timeoutType = 'START_TO_CLOSE'): this {
    return this.closeActivity(activityId, 'ActivityTaskTimedOut', { timeoutType }, timeoutType !== 'SCHEDULE_TO_START');
  }
  activityCanceled(activityId: string, details?: string): this {
    const t = this.openActivity(activityId);
    return this.closeActivity(activityId, 'ActivityTaskCanceled', { ...(details !== undefined ? { details } : {}), ...(t.cancelRequestedEventId ? { latestCancelRequestedEventId: t.cancelRequestedEventId } : {}) });
  }

  // ---- Lambda tasks ----
  private openLambda(id: string): OpenTask {
    const t = this.lambdas.get(id);
    if (!t) throw new Error(`no open Lambda task ${id}`);
    return t;
  }
  lambdaStarted(id: string): this {
    const t = this.openLambda(id);
    if (t.startedEventId !== undefined) throw new Error(`Lambda task ${id} already started`);
    t.startedEventId = this.add('LambdaFunctionStarted', { scheduledEventId: t.scheduledEventId });
    return this;
  }
  private closeLambda(id: string, eventType: EventType, attrs: Attrs): this {
    const t = this.openLambda(id);
    if (t.startedEventId === undefined) this.lambdaStarted(id);
    this.add(eventType, { ...attrs, scheduledEventId: t.scheduledEventId, startedEventId: t.startedEventId });
    this.lambdas.delete(id);
    this.requestDecision();
    return this;
  }
  lambdaCompleted(id: string, result?: unknown): this {
    return this.closeLambda(id, 'LambdaFunctionCompleted', result !== undefined ? { result: JSON.stringify(result) } : {});
  }
  lambdaFailed(id: string, reason: string, details?: string): this {
    return this.closeLambda(id, 'LambdaFunctionFailed', { reason, ...(details !== undefined ? { details } : {}) });
  }
  lambdaTimedOut(id: string): this {
    return this.closeLambda(id, 'LambdaFunctionTimedOut', { timeoutType: 'START_TO_CLOSE' });
  }
  startLambdaFailed(id: string, cause = 'ASSUME_ROLE_FAILED', message = 'no lambdaRole'): this {
    const t = this.openLambda(id);
    this.add('StartLambdaFunctionFailed', { scheduledEventId: t.scheduledEventId, cause, message });
    this.lambdas.delete(id);
    this.requestDecision();
    return this;
  }

  // ---- timers, signals, cancellation ----
  timerFired(timerId: string): this {
    const started = this.timers.get(timerId);
    if (started === undefined) throw new Error(`no open timer ${timerId}`);
    this.add('TimerFired', { timerId, startedEventId: started });
    this.timers.delete(timerId);
    this.requestDecision();
    return this;
  }
  cancelRequested(cause?: string): this {
    this.add('WorkflowExecutionCancelRequested', cause ? { cause } : {});
    this.requestDecision();
    return this;
  }
  signal(signalName: string, input?: string): this {
    this.add('WorkflowExecutionSignaled', { signalName, ...(input !== undefined ? { input } : {}) });
    this.requestDecision();
    return this;
  }

  /** ChildWorkflowExecutionStarted for the child this run initiated as `workflowId`. */
  childStarted(workflowId: string): this {
    const { initiatedEventId, workflowType } = this.childInitiated(workflowId);
    this.add('ChildWorkflowExecutionStarted', { workflowExecution: { workflowId, runId: `run-${workflowId}` }, workflowType, initiatedEventId });
    this.requestDecision();
    return this;
  }

  /** The child `workflowId` closes (ChildWorkflowExecutionCompleted, ...Failed, ...Canceled) with `attrs`. */
  childClosed(workflowId: string, eventType: 'ChildWorkflowExecutionCompleted' | 'ChildWorkflowExecutionFailed' | 'ChildWorkflowExecutionCanceled', attrs: Attrs = {}): this {
    const { initiatedEventId, workflowType } = this.childInitiated(workflowId);
    const startedEventId = this.list.find((e) => e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId === initiatedEventId)?.eventId ?? 0;
    this.add(eventType, { ...attrs, workflowExecution: { workflowId, runId: `run-${workflowId}` }, workflowType, initiatedEventId, startedEventId });
    this.requestDecision();
    return this;
  }

  private childInitiated(workflowId: string): { initiatedEventId: number; workflowType: unknown } {
    const e = [...this.list].reverse().find((x) => x.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId === workflowId);
    if (!e) throw new Error(`no child ${workflowId} was initiated`);
    return { initiatedEventId: e.eventId!, workflowType: e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowType };
  }

  /** Open activity ids, Lambda ids and timer ids, for assertions. */
  open(): { activities: string[]; lambdas: string[]; timers: string[] } {
    return { activities: [...this.activities.keys()], lambdas: [...this.lambdas.keys()], timers: [...this.timers.keys()] };
  }
}
