/**
 * The runner: history in, decisions out. A workflow is a plain object with a `decide(ctx)`
 * function that is called with the whole history's view on every decision task; it asks for what
 * should exist (tasks, timers, markers, a close) and the context emits only what is missing.
 */
import type { Decision, HistoryEvent } from '@aws-sdk/client-swf';
import { Context, type CancellationPolicy, type WorkflowContext } from './context';
import { failWorkflowExecution } from './decisions';
import { InvalidInputError } from './errors';
import { buildView, type BuildViewOptions, type WorkflowView } from './view';

export interface WorkflowDefinition<I = unknown> {
  /** A name for messages (e.g. the SWF workflow type name). */
  name?: string;
  /**
   * Turns WorkflowExecutionStarted.input into `I`. Throwing fails the run with reason
   * `InvalidInput` and the error's message as details. Default: JSON.parse (undefined if absent).
   */
  parseInput?: (raw: string | undefined) => I;
  /** Called on every decision task (except while an automatic cancellation runs). */
  decide(ctx: WorkflowContext<I>): void;
  /** Details for CancelWorkflowExecution, asked for when the run is about to close as canceled. */
  cancelDetails?: (ctx: WorkflowContext<I>) => string | undefined;
  /** What cancellation does with open work; see CancellationPolicy. */
  cancellation?: CancellationPolicy;
  /** History size at which ctx.shouldContinueAsNew turns true (default 10,000). */
  continueAsNewAfterEvents?: number;
  /**
   * An exception thrown by decide: 'throw' (default) lets it propagate, so the decision task is not
   * answered and SWF hands it out again after its timeout (a fixed deploy can then carry on);
   * 'fail' fails the run with reason `DeciderError`.
   */
  onError?: 'throw' | 'fail';
}

/** Identity function that gives `decide(ctx)` its input type by inference. */
export function defineWorkflow<I>(definition: WorkflowDefinition<I>): WorkflowDefinition<I> {
  return definition;
}

export type DecideOptions = BuildViewOptions;

export interface Evaluation {
  decisions: Decision[];
  view: WorkflowView;
}

/** Decides and also returns the view it decided from (status pages, logging). */
export function evaluate<I>(workflow: WorkflowDefinition<I>, history: readonly HistoryEvent[], options: DecideOptions = {}): Evaluation {
  const view = buildView(history, options);
  if (view.closed) return { decisions: [], view };
  const ctx = new Context<I>(view, {
    ...(workflow.parseInput ? { parseInput: workflow.parseInput } : {}),
    ...(workflow.cancellation ? { cancellation: workflow.cancellation } : {}),
    ...(workflow.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: workflow.continueAsNewAfterEvents } : {}),
  });
  try {
    if (view.cancelRequested && (workflow.cancellation?.handle ?? 'auto') === 'auto') {
      ctx.cancelWorkflow(() => workflow.cancelDetails?.(ctx));
    } else {
      workflow.decide(ctx);
    }
  } catch (error) {
    if (error instanceof InvalidInputError) return { decisions: [failWorkflowExecution('InvalidInput', error.message)], view };
    if (workflow.onError === 'fail') {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { decisions: [failWorkflowExecution('DeciderError', message)], view };
    }
    throw error;
  }
  return { decisions: ctx.decisions(), view };
}

/**
 * The decisions for a decision task whose full history is `history` (oldest first, ending with
 * its DecisionTaskStarted). Pure: the same history always gives the same decisions. A closed
 * run gives none.
 */
export function decide<I>(workflow: WorkflowDefinition<I>, history: readonly HistoryEvent[], options: DecideOptions = {}): Decision[] {
  return evaluate(workflow, history, options).decisions;
}
