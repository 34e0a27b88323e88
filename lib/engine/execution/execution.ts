import type { ActivityTaskTimeoutType, ChildPolicy, WorkflowExecutionTerminatedCause } from '@aws-sdk/client-swf';
import type { EventAttributesMap, EventType, HistoryEventRecord } from './events';
import {
  durationMs,
  NONE,
  type CloseStatus,
  type DeadlineKind,
  type DecisionTaskState,
  type ExecutionEffects,
  type ExecutionRecord,
  type OpenActivity,
  type OpenChild,
  type OpenLambda,
  type TaskKind,
} from './state';
import { openCounts } from './open-counts';
import type { IdSource } from '../util/ids';
import { encodeTaskToken } from '../util/task-token';

/** The event that closes a run, with the status it leaves behind. */
const CLOSE_STATUS = {
  WorkflowExecutionCompleted: 'COMPLETED',
  WorkflowExecutionFailed: 'FAILED',
  WorkflowExecutionCanceled: 'CANCELED',
  WorkflowExecutionTerminated: 'TERMINATED',
  WorkflowExecutionContinuedAsNew: 'CONTINUED_AS_NEW',
  WorkflowExecutionTimedOut: 'TIMED_OUT',
} as const satisfies Partial<Record<EventType, CloseStatus>>;
export type ClosingEventType = keyof typeof CLOSE_STATUS;

/** Activity deadlines and the timeout type each one reports. */
const ACTIVITY_DEADLINES: Record<string, ActivityTaskTimeoutType> = {
  ACTIVITY_SCHEDULE_TO_START: 'SCHEDULE_TO_START',
  ACTIVITY_SCHEDULE_TO_CLOSE: 'SCHEDULE_TO_CLOSE',
  ACTIVITY_START_TO_CLOSE: 'START_TO_CLOSE',
  ACTIVITY_HEARTBEAT: 'HEARTBEAT',
};

/**
 * One run's state machine for the length of one transaction. Every change goes through here:
 * it appends history events, mutates the run's state document and records the task-queue and
 * deadline effects that the store applies in the same transaction. It does no I/O and reads the
 * time only from `now`, so the same inputs always give the same history.
 */
export class Execution {
  readonly events: HistoryEventRecord[] = [];
  readonly effects: ExecutionEffects = {
    queueAdd: [],
    queueRemove: [],
    deadlineSet: [],
    deadlineClear: [],
    closed: false,
    outbox: [],
  };

  private deferring = false;
  private decisionWanted = false;

  constructor(
    readonly record: ExecutionRecord,
    readonly now: number,
    private readonly ids: IdSource,
  ) {}

  get state() {
    return this.record.state;
  }

  get isOpen(): boolean {
    return this.record.status === 'OPEN';
  }

  /** Appends an event, stamped `at` (default now) but never before the run's newest event. */
  append<K extends EventType>(eventType: K, attributes: EventAttributesMap[K], at = this.now): number {
    const s = this.state;
    const timestamp = Math.max(at, s.lastEventTime);
    const eventId = s.nextEventId++;
    s.lastEventTime = timestamp;
    this.events.push({ eventId, eventType, timestamp, attributes } as HistoryEventRecord);
    return eventId;
  }

  private arm(kind: DeadlineKind, ref: number, timeout: string, from = this.now): void {
    const ms = durationMs(timeout);
    if (ms !== undefined) this.effects.deadlineSet.push({ kind, ref, due: from + ms });
  }

  private disarm(kind: DeadlineKind, ref: number): void {
    this.effects.deadlineClear.push({ kind, ref });
  }

  /** A runId for the run that continues this one. */
  newRunId(): string {
    return this.ids.runId();
  }

  private mintToken(kind: TaskKind, scheduledEventId: number, startedEventId: number): string {
    return encodeTaskToken({ kind, executionId: this.record.id, scheduledEventId, startedEventId }, this.ids.nonce());
  }

  // ---------------------------------------------------------------- decision tasks

  /**
   * Runs `fn` (a decision batch) with decision requests held back until it ends, so the new
   * DecisionTaskScheduled follows the whole batch and a batch that closes the run leaves none.
   */
  deferDecisionRequests(fn: () => void): void {
    this.deferring = true;
    try {
      fn();
    } finally {
      this.deferring = false;
    }
    if (this.decisionWanted) {
      this.decisionWanted = false;
      this.requestDecision();
    }
  }

  /** Asks for a decision: at most one decision task is scheduled or in flight per run. */
  requestDecision(at = this.now): void {
    if (this.deferring) {
      this.decisionWanted = true;
      return;
    }
    const s = this.state;
    if (!this.isOpen || s.pendingDecision) return;
    if (s.decision?.state === 'SCHEDULED') return;
    const task = this.appendDecisionScheduled(at);
    if (s.decision?.state === 'STARTED') {
      // Not pollable until the task in flight completes or times out.
      s.pendingDecision = task;
    } else {
      this.makeDecisionPollable(task);
    }
  }

  private appendDecisionScheduled(at: number): DecisionTaskState {
    const s = this.state;
    const override = s.override;
    const taskList = override?.taskList ?? s.config.taskList;
    const scheduledEventId = this.append(
      'DecisionTaskScheduled',
      {
        taskList: { name: taskList },
        ...(s.config.taskPriority !== undefined ? { taskPriority: s.config.taskPriority } : {}),
        startToCloseTimeout: s.config.taskStartToCloseTimeout,
        scheduleToStartTimeout: override?.scheduleToStartTimeout ?? NONE,
      },
      at,
    );
    return {
      scheduledEventId,
      state: 'SCHEDULED',
      taskList,
      priority: Number(s.config.taskPriority ?? 0),
      startToCloseTimeout: s.config.taskStartToCloseTimeout,
      startedEventId: 0,
      token: '',
    };
  }

  private makeDecisionPollable(task: DecisionTaskState): void {
    const s = this.state;
    task.state = 'SCHEDULED';
    s.decision = task;
    this.effects.queueAdd.push({
      kind: 'decision',
      taskList: task.taskList,
      priority: task.priority,
      scheduledEventId: task.scheduledEventId,
    });
    task.queuedAt = this.now;
    const s2s = s.override?.scheduleToStartTimeout;
    task.scheduleToStartArmed = s2s !== undefined && durationMs(s2s) !== undefined;
    if (s2s !== undefined) this.arm('DECISION_SCHEDULE_TO_START', task.scheduledEventId, s2s);
  }

  /** Hands the scheduled decision task to a poller. */
  claimDecision(identity: string | undefined): DecisionTaskState {
    const task = this.state.decision;
    if (!task || task.state !== 'SCHEDULED') throw new Error('no scheduled decision task to claim');
    task.startedEventId = this.append('DecisionTaskStarted', {
      scheduledEventId: task.scheduledEventId,
      ...(identity !== undefined ? { identity } : {}),
    });
    task.state = 'STARTED';
    task.token = this.mintToken('decision', task.scheduledEventId, task.startedEventId);
    // Runs saved before the flag existed leave it undefined: disarm to be sure.
    if (task.scheduleToStartArmed !== false) this.disarm('DECISION_SCHEDULE_TO_START', task.scheduledEventId);
    this.arm('DECISION_START_TO_CLOSE', task.scheduledEventId, task.startToCloseTimeout);
    return task;
  }

  /** True when `token` is the decision task this run has in flight. */
  holdsDecisionToken(token: string): boolean {
    const task = this.state.decision;
    return this.isOpen && task?.state === 'STARTED' && task.token === token;
  }

  /**
   * Closes the decision task in flight with DecisionTaskCompleted. Returns whether events had
   * arrived while the decider worked (a DecisionTaskScheduled is pending): closing decisions
   * then fail with UNHANDLED_DECISION.
   */
  completeDecision(attrs: EventAttributesMap['DecisionTaskCompleted']): { completedEventId: number; hadPending: boolean } {
    const s = this.state;
    const task = s.decision!;
    const completedEventId = this.append('DecisionTaskCompleted', attrs);
    s.lastCompletedDecisionStartedEventId = task.startedEventId;
    this.disarm('DECISION_START_TO_CLOSE', task.scheduledEventId);
    if (attrs.executionContext !== undefined) s.latestExecutionContext = attrs.executionContext;
    const pending = s.pendingDecision;
    s.decision = null;
    s.pendingDecision = null;
    if (pending) this.makeDecisionPollable(pending);
    return { completedEventId, hadPending: pending !== null };
  }

  /** RespondDecisionTaskCompleted.taskList: where this run's next decision tasks go. */
  overrideDecisionTaskList(taskList: string | undefined, scheduleToStartTimeout: string | undefined): void {
    if (taskList === undefined) return;
    const s = this.state;
    if (taskList === s.config.taskList && scheduleToStartTimeout === undefined) delete s.override;
    else s.override = { taskList, ...(scheduleToStartTimeout !== undefined ? { scheduleToStartTimeout } : {}) };
  }

  private timeOutDecision(kind: 'START_TO_CLOSE' | 'SCHEDULE_TO_START', at: number): void {
    const s = this.state;
    const task = s.decision!;
    this.append(
      'DecisionTaskTimedOut',
      { timeoutType: kind, scheduledEventId: task.scheduledEventId, startedEventId: task.startedEventId },
      at,
    );
    if (kind === 'SCHEDULE_TO_START') {
      this.effects.queueRemove.push({ kind: 'decision', scheduledEventId: task.scheduledEventId });
    }
    // A task that timed out on an overriding list with a schedule-to-start limit goes back home.
    if (s.override?.scheduleToStartTimeout !== undefined) delete s.override;
    const pending = s.pendingDecision;
    s.decision = null;
    s.pendingDecision = null;
    if (pending) this.makeDecisionPollable(pending);
    else this.requestDecision(at);
  }

  // ---------------------------------------------------------------- activities

  scheduleActivity(a: Pick<OpenActivity, 'activityId' | 'activityType' | 'taskList' | 'priority' | 'input' | 'timeouts'>, attrs: EventAttributesMap['ActivityTaskScheduled']): void {
    const scheduledEventId = this.append('ActivityTaskScheduled', attrs);
    // Member by member, not `{ ...a, scheduledEventId, ... }`: each member defined after a spread
    // took V8's slow path (about 4 k instructions each, in every decision that schedules one).
    const activity: OpenActivity = {
      activityId: a.activityId,
      activityType: a.activityType,
      scheduledEventId,
      state: 'SCHEDULED',
      taskList: a.taskList,
      priority: a.priority,
      input: a.input,
      timeouts: a.timeouts,
      startedEventId: 0,
      token: '',
      cancelRequestedEventId: 0,
      queuedAt: this.now,
    };
    this.state.activities[scheduledEventId] = activity;
    this.state.latestActivityTaskTimestamp = this.now;
    this.effects.queueAdd.push({ kind: 'activity', taskList: a.taskList, priority: a.priority, scheduledEventId });
    this.arm('ACTIVITY_SCHEDULE_TO_START', scheduledEventId, a.timeouts.scheduleToStart);
    this.arm('ACTIVITY_SCHEDULE_TO_CLOSE', scheduledEventId, a.timeouts.scheduleToClose);
  }

  findActivityById(activityId: string): OpenActivity | undefined {
    for (const key in this.state.activities) {
      const a = this.state.activities[key]!;
      if (a.activityId === activityId) return a;
    }
    return undefined;
  }

  openActivityCount(): number {
    let n = 0;
    for (const _ in this.state.activities) n++;
    return n;
  }

  claimActivity(scheduledEventId: number, identity: string | undefined): OpenActivity {
    const a = this.state.activities[scheduledEventId];
    if (!a || a.state !== 'SCHEDULED') throw new Error(`no scheduled activity ${scheduledEventId} to claim`);
    a.startedEventId = this.append('ActivityTaskStarted', {
      scheduledEventId,
      ...(identity !== undefined ? { identity } : {}),
    });
    a.state = 'STARTED';
    this.state.latestActivityTaskTimestamp = this.now;
    a.token = this.mintToken('activity', scheduledEventId, a.startedEventId);
    this.disarm('ACTIVITY_SCHEDULE_TO_START', scheduledEventId);
    this.arm('ACTIVITY_START_TO_CLOSE', scheduledEventId, a.timeouts.startToClose);
    this.arm('ACTIVITY_HEARTBEAT', scheduledEventId, a.timeouts.heartbeat);
    return a;
  }

  /** The started activity that `token` belongs to, if the token is still live. */
  activityForToken(scheduledEventId: number, token: string): OpenActivity | undefined {
    const a = this.state.activities[scheduledEventId];
    return this.isOpen && a?.state === 'STARTED' && a.token === token ? a : undefined;
  }

  /** RecordActivityTaskHeartbeat: restarts the heartbeat clock, keeps the details for a timeout. */
  heartbeat(a: OpenActivity, details: string | undefined): boolean {
    if (details !== undefined) a.heartbeatDetails = details;
    this.arm('ACTIVITY_HEARTBEAT', a.scheduledEventId, a.timeouts.heartbeat);
    return a.cancelRequestedEventId > 0;
  }

  completeActivity(a: OpenActivity, result: string | undefined): void {
    this.append('ActivityTaskCompleted', {
      scheduledEventId: a.scheduledEventId,
      startedEventId: a.startedEventId,
      ...(result !== undefined ? { result } : {}),
    });
    this.closeActivity(a);
  }

  failActivity(a: OpenActivity, reason: string | undefined, details: string | undefined): void {
    this.append('ActivityTaskFailed', {
      scheduledEventId: a.scheduledEventId,
      startedEventId: a.startedEventId,
      ...(reason !== undefined ? { reason } : {}),
      ...(details !== undefined ? { details } : {}),
    });
    this.closeActivity(a);
  }

  cancelActivity(a: OpenActivity, details: string | undefined): void {
    this.append('ActivityTaskCanceled', {
      scheduledEventId: a.scheduledEventId,
      startedEventId: a.startedEventId,
      ...(details !== undefined ? { details } : {}),
      ...(a.cancelRequestedEventId > 0 ? { latestCancelRequestedEventId: a.cancelRequestedEventId } : {}),
    });
    this.closeActivity(a);
  }

  /** RequestCancelActivityTask on an open activity. */
  requestCancelActivity(a: OpenActivity, decisionTaskCompletedEventId: number): void {
    a.cancelRequestedEventId = this.append('ActivityTaskCancelRequested', {
      activityId: a.activityId,
      decisionTaskCompletedEventId,
    });
    // Nobody holds a task that was never started: it is canceled on the spot.
    if (a.state === 'SCHEDULED') this.cancelActivity(a, undefined);
  }

  /** Every activity event (schedule, start, close) moves latestActivityTaskTimestamp, as on the service. */
  private closeActivity(a: OpenActivity, at = this.now): void {
    const id = a.scheduledEventId;
    delete this.state.activities[id];
    this.state.latestActivityTaskTimestamp = at;
    if (a.state === 'SCHEDULED') this.effects.queueRemove.push({ kind: 'activity', scheduledEventId: id });
    // Only the deadlines that can still be armed: each disarm is a statement in the transaction.
    const t = a.timeouts;
    const started = a.state === 'STARTED';
    if (!started && t.scheduleToStart !== NONE) this.disarm('ACTIVITY_SCHEDULE_TO_START', id);
    if (t.scheduleToClose !== NONE) this.disarm('ACTIVITY_SCHEDULE_TO_CLOSE', id);
    if (started && t.startToClose !== NONE) this.disarm('ACTIVITY_START_TO_CLOSE', id);
    if (started && t.heartbeat !== NONE) this.disarm('ACTIVITY_HEARTBEAT', id);
    this.requestDecision(at);
  }

  // ---------------------------------------------------------------- timers

  startTimer(timerId: string, startToFireTimeout: string, control: string | undefined, dtc: number): void {
    const startedEventId = this.append('TimerStarted', {
      timerId,
      startToFireTimeout,
      decisionTaskCompletedEventId: dtc,
      ...(control !== undefined ? { control } : {}),
    });
    const fireAt = this.now + Number(startToFireTimeout) * 1000;
    this.state.timers[timerId] = { timerId, startedEventId, fireAt };
    this.effects.deadlineSet.push({ kind: 'TIMER', ref: startedEventId, due: fireAt });
  }

  cancelTimer(timerId: string, dtc: number): boolean {
    const t = this.state.timers[timerId];
    if (!t) return false;
    this.append('TimerCanceled', { timerId, startedEventId: t.startedEventId, decisionTaskCompletedEventId: dtc });
    delete this.state.timers[timerId];
    this.disarm('TIMER', t.startedEventId);
    return true;
  }

  openTimerCount(): number {
    let n = 0;
    for (const _ in this.state.timers) n++;
    return n;
  }

  // ---------------------------------------------------------------- children, external runs, Lambda

  /** Appends an event that the decider must see (→D in the spec's tables). */
  appendAndDecide<K extends EventType>(eventType: K, attributes: EventAttributesMap[K], at = this.now): number {
    const id = this.append(eventType, attributes, at);
    this.requestDecision(at);
    return id;
  }

  initiateChild(child: Omit<OpenChild, 'initiatedEventId' | 'startedEventId'>, attrs: EventAttributesMap['StartChildWorkflowExecutionInitiated']): number {
    const initiatedEventId = this.append('StartChildWorkflowExecutionInitiated', attrs);
    this.state.children[initiatedEventId] = { ...child, initiatedEventId, startedEventId: 0 };
    return initiatedEventId;
  }

  childStarted(initiatedEventId: number, runId: string): void {
    const c = this.state.children[initiatedEventId];
    if (!c || !this.isOpen) return;
    c.runId = runId;
    c.startedEventId = this.appendAndDecide('ChildWorkflowExecutionStarted', {
      workflowExecution: { workflowId: c.workflowId, runId },
      workflowType: c.workflowType,
      initiatedEventId,
    });
  }

  childStartFailed(initiatedEventId: number, cause: 'WORKFLOW_ALREADY_RUNNING'): void {
    const c = this.state.children[initiatedEventId];
    if (!c || !this.isOpen) return;
    delete this.state.children[initiatedEventId];
    this.appendAndDecide('StartChildWorkflowExecutionFailed', {
      workflowType: c.workflowType,
      workflowId: c.workflowId,
      cause,
      initiatedEventId,
      decisionTaskCompletedEventId: c.decisionTaskCompletedEventId,
      ...(c.control !== undefined ? { control: c.control } : {}),
    });
  }

  /** A child closed: the matching ChildWorkflowExecution* event, if this run is still open. */
  childClosed(initiatedEventId: number, runId: string, closeStatus: CloseStatus, attrs: { result?: string; reason?: string; details?: string }): void {
    const c = this.state.children[initiatedEventId];
    if (!c || !this.isOpen) return;
    delete this.state.children[initiatedEventId];
    const common = {
      workflowExecution: { workflowId: c.workflowId, runId },
      workflowType: c.workflowType,
      initiatedEventId,
      startedEventId: c.startedEventId,
    };
    switch (closeStatus) {
      case 'COMPLETED':
        this.appendAndDecide('ChildWorkflowExecutionCompleted', { ...common, ...(attrs.result !== undefined ? { result: attrs.result } : {}) });
        return;
      case 'FAILED':
        this.appendAndDecide('ChildWorkflowExecutionFailed', {
          ...common,
          ...(attrs.reason !== undefined ? { reason: attrs.reason } : {}),
          ...(attrs.details !== undefined ? { details: attrs.details } : {}),
        });
        return;
      case 'CANCELED':
        this.appendAndDecide('ChildWorkflowExecutionCanceled', { ...common, ...(attrs.details !== undefined ? { details: attrs.details } : {}) });
        return;
      case 'TIMED_OUT':
        this.appendAndDecide('ChildWorkflowExecutionTimedOut', { ...common, timeoutType: 'START_TO_CLOSE' });
        return;
      case 'TERMINATED':
        this.appendAndDecide('ChildWorkflowExecutionTerminated', common);
        return;
      case 'CONTINUED_AS_NEW':
        // The child lives on as a new run that keeps the link; the parent hears of its end.
        this.state.children[initiatedEventId] = c;
        return;
      default: {
        const never: never = closeStatus;
        throw new Error(`unknown close status ${String(never)}`);
      }
    }
  }

  openChildCount(): number {
    return Object.keys(this.state.children).length;
  }

  /**
   * ScheduleLambdaFunction after its checks. Without a lambdaRole SWF cannot assume a role to
   * invoke the function, and says so with StartLambdaFunctionFailed.
   */
  scheduleLambda(l: Omit<OpenLambda, 'scheduledEventId' | 'startedEventId'>, attrs: EventAttributesMap['LambdaFunctionScheduled'], hasRole: boolean): void {
    const scheduledEventId = this.append('LambdaFunctionScheduled', attrs);
    if (!hasRole) {
      this.appendAndDecide('StartLambdaFunctionFailed', {
        scheduledEventId,
        cause: 'ASSUME_ROLE_FAILED',
        message: 'The workflow execution has no lambdaRole: SWF cannot assume a role to invoke the function',
      });
      return;
    }
    const startedEventId = this.append('LambdaFunctionStarted', { scheduledEventId });
    this.state.lambdas[scheduledEventId] = { ...l, scheduledEventId, startedEventId };
    this.arm('LAMBDA_START_TO_CLOSE', scheduledEventId, l.startToCloseTimeout);
    this.effects.outbox.push({
      type: 'invokeLambda',
      scheduledEventId,
      startedEventId,
      name: l.name,
      ...(l.input !== undefined ? { input: l.input } : {}),
      timeoutMs: Number(l.startToCloseTimeout) * 1000,
    });
  }

  /** The invocation's outcome; ignored when the task already timed out or the run closed. */
  lambdaFinished(scheduledEventId: number, startedEventId: number, outcome: { result?: string } | { reason: string; details?: string }): void {
    const l = this.state.lambdas[scheduledEventId];
    if (!l || !this.isOpen || l.startedEventId !== startedEventId) return;
    delete this.state.lambdas[scheduledEventId];
    this.disarm('LAMBDA_START_TO_CLOSE', scheduledEventId);
    if ('reason' in outcome) {
      this.appendAndDecide('LambdaFunctionFailed', {
        scheduledEventId,
        startedEventId,
        reason: outcome.reason,
        ...(outcome.details !== undefined ? { details: outcome.details } : {}),
      });
    } else {
      this.appendAndDecide('LambdaFunctionCompleted', {
        scheduledEventId,
        startedEventId,
        ...(outcome.result !== undefined ? { result: outcome.result } : {}),
      });
    }
  }

  findLambdaById(id: string): OpenLambda | undefined {
    for (const key in this.state.lambdas) {
      const l = this.state.lambdas[key]!;
      if (l.id === id) return l;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- run lifecycle

  /** The run's first events: WorkflowExecutionStarted, its timeout clock, the first decision task. */
  start(attrs: EventAttributesMap['WorkflowExecutionStarted']): void {
    this.append('WorkflowExecutionStarted', attrs);
    this.arm('EXECUTION', 0, this.state.config.executionStartToCloseTimeout);
    this.requestDecision();
  }

  signal(attrs: EventAttributesMap['WorkflowExecutionSignaled']): void {
    this.append('WorkflowExecutionSignaled', attrs);
    this.requestDecision();
  }

  requestCancel(attrs: EventAttributesMap['WorkflowExecutionCancelRequested']): void {
    this.append('WorkflowExecutionCancelRequested', attrs);
    this.state.cancelRequested = true;
    this.requestDecision();
  }

  terminate(reason: string | undefined, details: string | undefined, childPolicy: ChildPolicy, cause: WorkflowExecutionTerminatedCause | undefined): void {
    this.close('WorkflowExecutionTerminated', {
      childPolicy,
      ...(reason !== undefined ? { reason } : {}),
      ...(details !== undefined ? { details } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });
  }

  /** Appends the closing event and drops every open task, timer and deadline of the run. */
  close<K extends ClosingEventType>(eventType: K, attrs: EventAttributesMap[K], at = this.now): void {
    this.append(eventType, attrs, at);
    const r = this.record;
    r.status = 'CLOSED';
    r.closeStatus = CLOSE_STATUS[eventType];
    r.closedAt = this.state.lastEventTime;
    const s = this.state;
    const children = Object.values(s.children);
    // Describe keeps reporting what was open when the run closed, and no cancel request.
    s.openCountsAtClose = openCounts(s);
    s.cancelRequested = false;
    s.decision = null;
    s.pendingDecision = null;
    s.activities = {};
    s.timers = {};
    s.lambdas = {};
    s.children = {};
    this.effects.closed = true;
    const a = attrs as { result?: string; reason?: string; details?: string; childPolicy?: ChildPolicy };
    this.effects.outbox.push({
      type: 'closed',
      closeStatus: r.closeStatus,
      attributes: {
        ...(a.result !== undefined ? { result: a.result } : {}),
        ...(a.reason !== undefined ? { reason: a.reason } : {}),
        ...(a.details !== undefined ? { details: a.details } : {}),
        ...(a.childPolicy !== undefined ? { childPolicy: a.childPolicy } : {}),
      },
      children,
    });
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * A durable deadline came due. Deadlines are disarmed when their task closes, but the state is
   * re-checked here too, so a stale row can never produce an event. Events are stamped `due`.
   */
  fireDeadline(kind: DeadlineKind, ref: number, due: number): void {
    // A deadline that fires is spent, whatever it finds; a handler below may arm it again.
    this.disarm(kind, ref);
    if (!this.isOpen) return;
    const s = this.state;
    switch (kind) {
      case 'EXECUTION':
        this.close('WorkflowExecutionTimedOut', { timeoutType: 'START_TO_CLOSE', childPolicy: s.config.childPolicy }, due);
        return;
      case 'DECISION_START_TO_CLOSE':
        if (s.decision?.state === 'STARTED' && s.decision.scheduledEventId === ref) this.timeOutDecision('START_TO_CLOSE', due);
        return;
      case 'DECISION_SCHEDULE_TO_START':
        if (s.decision?.state === 'SCHEDULED' && s.decision.scheduledEventId === ref) this.timeOutDecision('SCHEDULE_TO_START', due);
        return;
      case 'ACTIVITY_SCHEDULE_TO_START':
      case 'ACTIVITY_SCHEDULE_TO_CLOSE':
      case 'ACTIVITY_START_TO_CLOSE':
      case 'ACTIVITY_HEARTBEAT': {
        const a = s.activities[ref];
        if (!a) return;
        if (kind !== 'ACTIVITY_SCHEDULE_TO_CLOSE' && (a.state === 'STARTED') !== (kind !== 'ACTIVITY_SCHEDULE_TO_START')) return;
        this.append(
          'ActivityTaskTimedOut',
          {
            timeoutType: ACTIVITY_DEADLINES[kind]!,
            scheduledEventId: a.scheduledEventId,
            startedEventId: a.startedEventId,
            ...(kind === 'ACTIVITY_HEARTBEAT' && a.heartbeatDetails !== undefined ? { details: a.heartbeatDetails } : {}),
          },
          due,
        );
        this.closeActivity(a, due);
        return;
      }
      case 'TIMER': {
        for (const id in s.timers) {
          const t = s.timers[id]!;
          if (t.startedEventId !== ref) continue;
          this.append('TimerFired', { timerId: t.timerId, startedEventId: t.startedEventId }, due);
          delete s.timers[id];
          this.requestDecision(due);
          return;
        }
        return;
      }
      case 'LAMBDA_START_TO_CLOSE': {
        const l = s.lambdas[ref];
        if (!l) return;
        delete s.lambdas[ref];
        this.appendAndDecide(
          'LambdaFunctionTimedOut',
          { scheduledEventId: l.scheduledEventId, startedEventId: l.startedEventId, timeoutType: 'START_TO_CLOSE' },
          due,
        );
        return;
      }
      case 'RETENTION':
        // Purging a closed run is the store's business; an open run has no retention clock.
        return;
      default: {
        const never: never = kind;
        throw new Error(`unknown deadline kind ${String(never)}`);
      }
    }
  }
}
