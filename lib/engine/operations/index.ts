import { domainOperations } from './domains';
import { executionOperations } from './executions';
import { tagOperations } from './tags';
import { taskOperations } from './tasks';
import type { OperationTable } from './types';
import { visibilityOperations } from './visibility';
import { activityTypeOperations, workflowTypeOperations } from './workflow-types';

/** Every operation the engine answers, by its X-Amz-Target name. */
export const OPERATION_HANDLERS: OperationTable = {
  ...domainOperations,
  ...workflowTypeOperations,
  ...activityTypeOperations,
  ...executionOperations,
  ...visibilityOperations,
  ...taskOperations,
  ...tagOperations,
};
