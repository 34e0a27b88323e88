import {
  UnknownResourceFault,
  WorkflowExecutionAlreadyStartedFault,
  type CloseStatus,
  type HistoryEvent,
  type ListClosedWorkflowExecutionsInput,
  type ListOpenWorkflowExecutionsInput,
  type WorkflowExecutionInfo,
} from '@aws-sdk/client-swf';
import type { SwfApi } from '../../../lib/api';

export interface FakeRun {
  workflowId: string;
  runId: string;
  typeName: string;
  startedAt: number;
  closedAt?: number;
  closeStatus?: CloseStatus;
  cancelRequested: boolean;
  tagList: string[];
  history: HistoryEvent[];
}

type Op = keyof SwfApi;

export const unknownResource = (message = 'Unknown execution'): UnknownResourceFault => new UnknownResourceFault({ message, $metadata: {} });

/**
 * An in-memory SWF for the API's unit tests: runs are kept in a list, visibility filters by
 * workflowId / type name like SWF, every call is recorded, and `failures` makes an operation throw.
 */
export class FakeSwf implements SwfApi {
  readonly runs: FakeRun[] = [];
  readonly calls: { op: Op; input: Record<string, unknown> }[] = [];
  /** Errors to throw, per operation, in order (one per call). */
  readonly failures = new Map<Op, Error[]>();
  /** Events per history page (SWF's own page limit), to exercise nextPageToken. */
  historyPageSize = 1000;
  private nextRun = 1;

  constructor(private readonly now: () => number = () => Date.parse('2030-01-01T00:00:00Z')) {}

  callsOf(op: Op): Record<string, unknown>[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.input);
  }

  failNext(op: Op, error: Error): void {
    this.failures.set(op, [...(this.failures.get(op) ?? []), error]);
  }

  /** Adds a run directly (a recorded history, a closed run, ...). */
  addRun(run: Partial<FakeRun> & { workflowId: string }): FakeRun {
    const full: FakeRun = {
      runId: `run-${this.nextRun++}`,
      typeName: 'ProcessVideo',
      startedAt: this.now(),
      cancelRequested: false,
      tagList: ['video'],
      history: [],
      ...run,
    };
    this.runs.push(full);
    return full;
  }

  private record(op: Op, input: object): void {
    this.calls.push({ op, input: input as Record<string, unknown> });
    const queue = this.failures.get(op);
    const error = queue?.shift();
    if (error) throw error;
  }

  async startWorkflowExecution(input: Parameters<SwfApi['startWorkflowExecution']>[0]): Promise<{ runId: string }> {
    this.record('startWorkflowExecution', input);
    if (this.runs.some((r) => r.workflowId === input.workflowId && r.closeStatus === undefined)) {
      throw new WorkflowExecutionAlreadyStartedFault({ message: `Already started: ${input.workflowId}`, $metadata: {} });
    }
    const run = this.addRun({
      workflowId: input.workflowId!,
      typeName: input.workflowType?.name ?? '',
      tagList: input.tagList ?? [],
      history: [
        {
          eventId: 1,
          eventType: 'WorkflowExecutionStarted',
          eventTimestamp: new Date(this.now()),
          workflowExecutionStartedEventAttributes: {
            input: input.input,
            workflowType: input.workflowType!,
            taskList: input.taskList!,
            childPolicy: input.childPolicy!,
            tagList: input.tagList ?? [],
            ...(input.lambdaRole ? { lambdaRole: input.lambdaRole } : {}),
          },
        },
        { eventId: 2, eventType: 'DecisionTaskScheduled', eventTimestamp: new Date(this.now()), decisionTaskScheduledEventAttributes: { taskList: input.taskList! } },
      ],
    });
    return { runId: run.runId };
  }

  private list(input: ListOpenWorkflowExecutionsInput | ListClosedWorkflowExecutionsInput, open: boolean): { executionInfos: WorkflowExecutionInfo[]; nextPageToken?: string } {
    const matching = this.runs
      .filter((r) => (r.closeStatus === undefined) === open)
      .filter((r) => !input.executionFilter || r.workflowId === input.executionFilter.workflowId)
      .filter((r) => !input.typeFilter || r.typeName === input.typeFilter.name)
      .sort((a, b) => b.startedAt - a.startedAt);
    const size = input.maximumPageSize ?? 1000;
    return { executionInfos: matching.slice(0, size).map((r) => this.info(r)), ...(matching.length > size ? { nextPageToken: 'more' } : {}) };
  }

  info(r: FakeRun): WorkflowExecutionInfo {
    return {
      execution: { workflowId: r.workflowId, runId: r.runId },
      workflowType: { name: r.typeName, version: '1' },
      startTimestamp: new Date(r.startedAt),
      ...(r.closedAt !== undefined ? { closeTimestamp: new Date(r.closedAt) } : {}),
      executionStatus: r.closeStatus === undefined ? 'OPEN' : 'CLOSED',
      ...(r.closeStatus !== undefined ? { closeStatus: r.closeStatus } : {}),
      cancelRequested: r.cancelRequested,
      tagList: r.tagList,
    };
  }

  async listOpenWorkflowExecutions(input: ListOpenWorkflowExecutionsInput) {
    this.record('listOpenWorkflowExecutions', input);
    return this.list(input, true);
  }

  async listClosedWorkflowExecutions(input: ListClosedWorkflowExecutionsInput) {
    this.record('listClosedWorkflowExecutions', input);
    return this.list(input, false);
  }

  private find(workflowId: string | undefined, runId: string | undefined): FakeRun {
    const run = this.runs.find((r) => r.workflowId === workflowId && r.runId === runId);
    if (!run) throw unknownResource(`Unknown execution: ${workflowId}/${runId}`);
    return run;
  }

  async describeWorkflowExecution(input: Parameters<SwfApi['describeWorkflowExecution']>[0]) {
    this.record('describeWorkflowExecution', input);
    const run = this.find(input.execution?.workflowId, input.execution?.runId);
    return {
      executionInfo: this.info(run),
      executionConfiguration: { taskStartToCloseTimeout: '60', executionStartToCloseTimeout: '3600', taskList: { name: 'video-deciders' }, childPolicy: 'TERMINATE' as const },
      openCounts: { openActivityTasks: 0, openDecisionTasks: 1, openTimers: 0, openChildWorkflowExecutions: 0 },
    };
  }

  async getWorkflowExecutionHistory(input: Parameters<SwfApi['getWorkflowExecutionHistory']>[0]) {
    this.record('getWorkflowExecutionHistory', input);
    const run = this.find(input.execution?.workflowId, input.execution?.runId);
    const offset = input.nextPageToken ? Number(input.nextPageToken) : 0;
    const size = Math.min(input.maximumPageSize ?? 1000, this.historyPageSize);
    const ordered = input.reverseOrder ? [...run.history].reverse() : run.history;
    const events = ordered.slice(offset, offset + size);
    return { events, ...(offset + size < run.history.length ? { nextPageToken: String(offset + size) } : {}) };
  }

  async requestCancelWorkflowExecution(input: Parameters<SwfApi['requestCancelWorkflowExecution']>[0]) {
    this.record('requestCancelWorkflowExecution', input);
    const run = this.runs.find((r) => r.workflowId === input.workflowId && (input.runId === undefined || r.runId === input.runId) && r.closeStatus === undefined);
    if (!run) throw unknownResource(`Unknown execution: ${input.workflowId}`);
    run.cancelRequested = true;
    run.history.push({
      eventId: run.history.length + 1,
      eventType: 'WorkflowExecutionCancelRequested',
      eventTimestamp: new Date(this.now()),
      workflowExecutionCancelRequestedEventAttributes: {},
    });
    return {};
  }
}
