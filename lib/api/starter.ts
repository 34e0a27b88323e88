import { CHILD_POLICY, TASK_LISTS, WORKFLOW_TIMEOUTS, WORKFLOW_TYPE } from '../video/definition';
import type { WorkflowInput } from '../video/contracts';
import { keys } from '../video/contracts';
import { isFault } from './errors';
import { findLatestRun, statusOf, type ExecutionStatus } from './executions';
import { isValidVideoId } from './video-id';
import { silentApiLogger, type ApiLogger, type SwfApi } from './types';

/** The tag every video execution carries (ListOpen/ClosedWorkflowExecutions tagFilter). */
export const VIDEO_TAG = 'video';

export interface StarterDeps {
  swf: SwfApi;
  domain: string;
  lambdaRole?: string;
  logger?: ApiLogger;
}

export interface StartVideoArgs {
  videoId: string;
  /** Key of the upload in the upload store; `keys.source(videoId)`. */
  sourceKey: string;
  fileName?: string;
  /** WorkflowInput.runner; absent means the workflow's default (Lambda tasks). */
  runner?: WorkflowInput['runner'];
}

export interface StartVideoResult {
  videoId: string;
  /** The run: the one just started, or the one that already existed (when SWF says which). */
  runId?: string;
  /** True when this call started the execution; false when it had been started before. */
  started: boolean;
  /** For an execution that existed already: its status (RUNNING, COMPLETED, ...). */
  status?: ExecutionStatus;
}

/** The starter was called with arguments that can never start a workflow. */
export class InvalidStartError extends Error {
  override readonly name = 'InvalidStartError';
}

/** Longest file name kept in the workflow input (characters). */
export const MAX_FILE_NAME_LENGTH = 255;

/**
 * Starts the video workflow for an upload, at most once per video: the videoId is the workflowId,
 * so a second start is refused by SWF (WorkflowExecutionAlreadyStartedFault) while the first run is
 * open, and a closed run of the same id is found through visibility first. Either way the answer is
 * `started: false`, not an error, so a re-delivered S3 event or a repeated upload is harmless.
 */
export async function startVideoWorkflow(deps: StarterDeps, args: StartVideoArgs): Promise<StartVideoResult> {
  const logger = deps.logger ?? silentApiLogger;
  const { videoId, sourceKey } = args;
  if (!isValidVideoId(videoId)) throw new InvalidStartError(`Invalid videoId ${JSON.stringify(videoId)}`);
  if (sourceKey !== keys.source(videoId)) {
    throw new InvalidStartError(`sourceKey ${JSON.stringify(sourceKey)} is not ${JSON.stringify(keys.source(videoId))}`);
  }

  const existing = await findLatestRun(deps.swf, deps.domain, videoId);
  if (existing) {
    const status = statusOf(existing);
    logger.info('Video workflow already started', { videoId, runId: existing.execution?.runId, status });
    return { videoId, started: false, status, ...(existing.execution?.runId ? { runId: existing.execution.runId } : {}) };
  }

  const input: WorkflowInput = {
    videoId,
    sourceKey,
    ...(args.fileName ? { fileName: cleanFileName(args.fileName) } : {}),
    ...(args.runner ? { runner: args.runner } : {}),
  };
  try {
    const run = await deps.swf.startWorkflowExecution({
      domain: deps.domain,
      workflowId: videoId,
      workflowType: { ...WORKFLOW_TYPE },
      taskList: { name: TASK_LISTS.decisions },
      input: JSON.stringify(input),
      executionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose,
      taskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose,
      childPolicy: CHILD_POLICY,
      tagList: [VIDEO_TAG],
      ...(deps.lambdaRole ? { lambdaRole: deps.lambdaRole } : {}),
    });
    logger.info('Video workflow started', { videoId, runId: run.runId });
    return { videoId, started: true, status: 'RUNNING', ...(run.runId ? { runId: run.runId } : {}) };
  } catch (error) {
    if (isFault(error, 'WorkflowExecutionAlreadyStartedFault')) {
      logger.info('Video workflow already started (concurrent start)', { videoId });
      return { videoId, started: false, status: 'RUNNING' };
    }
    throw error;
  }
}

/** A file name as kept for display: control characters dropped, trimmed, at most 255 characters. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_FILE_NAME_LENGTH);
}
