import type { Decision, DecisionTask, HistoryEvent, WorkflowExecution, WorkflowType } from '@aws-sdk/client-swf';
import type { BackoffOptions, Sleep } from './backoff';
import { errorFields, isUnknownResource } from './errors';
import type { WorkerLogger } from './logger';
import { pollerRuntime, type PollLoop, withRetries } from './poll-loop';
import type { SwfLike, SwfOperations } from './swf-port';

/** What `decide` is given: one decision task with the run's whole history, every page joined. */
export interface DecisionTaskInput {
  /** The full history from event 1 through the task's DecisionTaskStarted, ascending. */
  history: HistoryEvent[];
  workflowExecution: WorkflowExecution;
  workflowType: WorkflowType;
  /** startedEventId of the last completed decision task; 0 if none. */
  previousStartedEventId: number;
  /** eventId of this task's DecisionTaskStarted. */
  startedEventId: number;
}

/** `decide` answers with the decisions, or with the decisions and an executionContext. */
export type DecideResult = Decision[] | { decisions: Decision[]; executionContext?: string };

/** Any function from a decision task to decisions: the pure decider, or a test's tiny one. */
export type DecideFunction = (task: DecisionTaskInput) => DecideResult | Promise<DecideResult>;

export interface DecisionPollerOptions {
  /** The aggregated `SWF` client (or a bare `SWFClient`). */
  swf: SwfLike;
  domain: string;
  taskList: string;
  /** Recorded in DecisionTaskStarted (default `<hostname>:<pid>`). */
  identity?: string;
  decide: DecideFunction;
  /** Default: a powertools Logger with serviceName `decider`. */
  logger?: WorkerLogger;
  /** Backoff after failures (poll errors, decide throwing, respond failures). */
  backoff?: BackoffOptions;
  /** maximumPageSize for the history pages (1-1000; default: the service's 1000). */
  pageSize?: number;
  /** Parallel long polls, each working one task at a time (default 1). */
  concurrency?: number;
  /** Tries for a next-page fetch or a respond that fails transiently (default 3). */
  callAttempts?: number;
  /** Injected for tests. */
  random?: () => number;
  sleep?: Sleep;
  now?: () => number;
}

export interface DecisionPollerStats {
  polls: number;
  emptyPolls: number;
  pollErrors: number;
  tasksCompleted: number;
  /** Tasks left to time out: history unreadable, decide threw, or the respond failed. */
  tasksAbandoned: number;
  decideErrors: number;
}

/**
 * Long-polls a decision task list and answers each task with the decisions of `decide`.
 *
 * - An empty poll is followed by the next poll at once.
 * - A task's history is read in full by following `nextPageToken` before `decide` is called.
 * - Poll errors (network, 5xx, throttling, unknown domain) back off exponentially with jitter;
 *   the loop never ends on an error.
 * - When `decide` throws (or the history cannot be read), the task is NOT answered: an empty
 *   RespondDecisionTaskCompleted would close the task and leave the run waiting for an event
 *   that may never come, whereas an unanswered task times out (taskStartToCloseTimeout) and
 *   SWF schedules a fresh decision task, so the run is retried with its full history.
 * - `stop()` aborts polls in flight, starts none, and resolves when the tasks in hand have been
 *   decided and answered.
 */
export class DecisionPoller {
  private readonly swf: SwfOperations;
  private readonly logger: WorkerLogger;
  private readonly identity: string;
  private readonly loop: PollLoop<DecisionTask>;
  private readonly retry: Parameters<typeof withRetries>[1];
  private readonly now: () => number;
  private stopping: Promise<void> | undefined;
  private readonly counters: DecisionPollerStats = {
    polls: 0,
    emptyPolls: 0,
    pollErrors: 0,
    tasksCompleted: 0,
    tasksAbandoned: 0,
    decideErrors: 0,
  };

  constructor(private readonly options: DecisionPollerOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    const pageSize = options.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) {
      throw new RangeError(`pageSize must be an integer 1-1000, got ${pageSize}`);
    }
    ({ swf: this.swf, logger: this.logger, identity: this.identity, now: this.now, retry: this.retry, loop: this.loop } = pollerRuntime<DecisionTask>(
      'decision',
      'decider',
      options,
      concurrency,
      {
        poll: (signal) => this.poll(signal),
        handle: (task) => this.handle(task),
        onPollError: () => void this.counters.pollErrors++,
      },
    ));
  }

  /** Starts the poll loops (idempotent). A stopped poller cannot be started again. */
  start(): void {
    if (this.loop.running) return;
    this.loop.start();
    this.logger.info('decision poller started', {
      domain: this.options.domain,
      taskList: this.options.taskList,
      identity: this.identity,
      concurrency: this.options.concurrency ?? 1,
    });
  }

  /** Graceful stop; resolves when every task in hand has been answered. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.loop.stop().then(() => this.logger.info('decision poller stopped', { ...this.stats() }));
    return this.stopping;
  }

  get running(): boolean {
    return this.loop.running;
  }

  stats(): DecisionPollerStats {
    return { ...this.counters };
  }

  private baseInput() {
    return {
      domain: this.options.domain,
      taskList: { name: this.options.taskList },
      identity: this.identity,
      ...(this.options.pageSize !== undefined ? { maximumPageSize: this.options.pageSize } : {}),
    };
  }

  private async poll(signal: AbortSignal): Promise<DecisionTask | undefined> {
    this.counters.polls++;
    const page = await this.swf.pollForDecisionTask(this.baseInput(), { abortSignal: signal });
    if (!page.taskToken) {
      this.counters.emptyPolls++;
      this.logger.debug('decision poll empty', { taskList: this.options.taskList });
      return undefined;
    }
    return page as DecisionTask;
  }

  /** Reads the remaining pages of a task already claimed (these calls claim nothing new). */
  private async readHistory(first: DecisionTask): Promise<{ history: HistoryEvent[]; pages: number }> {
    const history = [...(first.events ?? [])];
    let pages = 1;
    let nextPageToken = first.nextPageToken;
    while (nextPageToken) {
      const token = nextPageToken;
      const page = await withRetries(() => this.swf.pollForDecisionTask({ ...this.baseInput(), nextPageToken: token }), this.retry);
      history.push(...(page.events ?? []));
      pages++;
      nextPageToken = page.nextPageToken;
    }
    return { history, pages };
  }

  private async handle(task: DecisionTask): Promise<boolean> {
    const receivedAt = this.now();
    const fields = {
      workflowId: task.workflowExecution?.workflowId,
      runId: task.workflowExecution?.runId,
      workflowType: task.workflowType ? `${task.workflowType.name}/${task.workflowType.version}` : undefined,
      startedEventId: task.startedEventId,
      previousStartedEventId: task.previousStartedEventId ?? 0,
    };
    const abandon = (message: string, extra: Record<string, unknown>): false => {
      this.counters.tasksAbandoned++;
      this.logger.error(`${message}; the decision task is left to time out and SWF will schedule a new one`, { ...fields, ...extra });
      return false;
    };
    if (!task.workflowExecution || !task.workflowType || task.startedEventId === undefined) {
      return abandon('decision task without workflowExecution, workflowType or startedEventId', {});
    }

    let history: HistoryEvent[];
    let pages: number;
    try {
      ({ history, pages } = await this.readHistory(task));
    } catch (error) {
      return abandon('could not read the whole history', errorFields(error));
    }

    let decisions: Decision[];
    let executionContext: string | undefined;
    const decideStarted = this.now();
    try {
      const result = await this.options.decide({
        history,
        workflowExecution: task.workflowExecution,
        workflowType: task.workflowType,
        previousStartedEventId: task.previousStartedEventId ?? 0,
        startedEventId: task.startedEventId,
      });
      ({ decisions, executionContext } = normalizeResult(result));
    } catch (error) {
      this.counters.decideErrors++;
      return abandon('decide threw', { events: history.length, ...errorFields(error), error });
    }
    const decideMs = this.now() - decideStarted;

    try {
      await withRetries(
        () =>
          this.swf.respondDecisionTaskCompleted({
            taskToken: task.taskToken,
            decisions,
            ...(executionContext !== undefined ? { executionContext } : {}),
          }),
        this.retry,
      );
    } catch (error) {
      if (isUnknownResource(error)) {
        // The task timed out or the run closed while we decided: SWF has moved on already.
        this.counters.tasksAbandoned++;
        this.logger.warn('decision task no longer open; answer dropped', { ...fields, decisions: decisions.length, ...errorFields(error) });
        return true;
      }
      this.counters.tasksAbandoned++;
      this.logger.error('RespondDecisionTaskCompleted failed', { ...fields, decisions: decisions.length, ...errorFields(error) });
      return false;
    }
    this.counters.tasksCompleted++;
    this.logger.info('decision task completed', {
      ...fields,
      events: history.length,
      pages,
      decisions: decisions.length,
      decisionTypes: decisions.map((d) => d.decisionType),
      decideMs,
      latencyMs: this.now() - receivedAt,
    });
    return true;
  }
}

function normalizeResult(result: DecideResult): { decisions: Decision[]; executionContext: string | undefined } {
  if (Array.isArray(result)) return { decisions: result, executionContext: undefined };
  if (result && typeof result === 'object' && Array.isArray(result.decisions)) {
    return { decisions: result.decisions, executionContext: result.executionContext };
  }
  throw new TypeError('decide must return Decision[] or { decisions: Decision[]; executionContext?: string }');
}
