import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { LOG_RETENTION, type PipelineFunction } from './function-preset';

/**
 * A custom resource Provider (custom-resources framework) for `onEvent`, whose own framework
 * function has a role that writes only to its own log group (no managed policy) and may invoke
 * only `onEvent`. Created in `scope` as `ProviderLogs`, `ProviderRole` and `Provider`.
 */
export function customResourceProvider(scope: Construct, onEvent: PipelineFunction, description: string): cr.Provider {
  const frameworkLogs = new logs.LogGroup(scope, 'ProviderLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  const frameworkRole = new iam.Role(scope, 'ProviderRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of the ${description} custom resource's Provider framework function`,
  });
  frameworkLogs.grantWrite(frameworkRole);
  const provider = new cr.Provider(scope, 'Provider', { onEventHandler: onEvent, frameworkOnEventRole: frameworkRole, logGroup: frameworkLogs });
  Validations.of(frameworkRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(onEvent.node.defaultChild as never)}.Arn>:*]`,
    reason: 'The Provider framework grants itself lambda:InvokeFunction on the handler and its versions (ARN:*); it invokes only that one function.',
  });
  return provider;
}
