import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeciderNetwork } from './decider';
import { VideoPipelineStack } from './stack';

export const STACK_NAME = 'VideoPipeline';

export interface PipelineApp {
  app: App;
  stack: VideoPipelineStack;
}

export interface CreateAppOptions extends AppProps {
  /** Run cdk-nag's AwsSolutions pack at synth (default true). */
  nag?: boolean;
}

/**
 * The CDK app: the one stack, cdk-nag's AwsSolutions checks on everything, and the options read
 * from context (`-c deciderNetwork=private-nat`, `-c alarmTopicArn=arn:...`,
 * `-c uploadRetentionDays=14`). Environment-agnostic on purpose: no lookups, so synth works
 * offline; `cdk deploy` targets the account and region of the caller's credentials.
 */
export function createApp(options: CreateAppOptions = {}): PipelineApp {
  const { nag = true, ...appProps } = options;
  const app = new App(appProps);
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const network = context('deciderNetwork');
  if (network !== undefined && network !== 'public' && network !== 'private-nat') {
    throw new Error(`context deciderNetwork must be "public" or "private-nat", got ${JSON.stringify(network)}`);
  }
  const retention = context('uploadRetentionDays');
  if (retention !== undefined && !/^[1-9]\d*$/.test(retention)) {
    throw new Error(`context uploadRetentionDays must be a whole number of days, got ${JSON.stringify(retention)}`);
  }
  const alarmTopicArn = context('alarmTopicArn');
  const stack = new VideoPipelineStack(app, STACK_NAME, {
    ...(network ? { deciderNetwork: network as DeciderNetwork } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    ...(retention ? { uploadRetentionDays: Number(retention) } : {}),
  });
  Tags.of(app).add('project', 'swf-video-pipeline');
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
