import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DeciderService, type DeciderNetwork } from './decider';
import { Operations } from './operations';
import { Playback } from './playback';
import { Starter } from './starter';
import { MediaStorage } from './storage';
import { SwfRegistration } from './swf-registration';
import { StepWorkers } from './workers';

export interface VideoPipelineStackProps extends StackProps {
  /** How the decider reaches SWF (default `public`: no NAT gateway). */
  deciderNetwork?: DeciderNetwork;
  /** An SNS topic for the alarms; none by default. */
  alarmTopicArn?: string;
  /** Days before S3 expires an upload (default 30). */
  uploadRetentionDays?: number;
}

/**
 * The video pipeline on AWS: Amazon SWF in place of swf-local, the steps as Lambda functions, the
 * decider on Fargate and the starter API. Thin: each feature is a construct of lib/infra, and
 * every name comes from lib/video/definition.ts.
 */
export class VideoPipelineStack extends Stack {
  readonly storage: MediaStorage;
  readonly workers: StepWorkers;
  readonly registration: SwfRegistration;
  readonly playback: Playback;
  readonly decider: DeciderService;
  readonly starter: Starter;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: VideoPipelineStackProps = {}) {
    super(scope, id, { description: 'Video pipeline on Amazon SWF: Lambda steps, Fargate decider, starter API, CloudFront playback', ...props });

    this.storage = new MediaStorage(this, 'Storage', { ...(props.uploadRetentionDays ? { uploadRetentionDays: props.uploadRetentionDays } : {}) });
    this.workers = new StepWorkers(this, 'Steps', { storage: this.storage });
    this.registration = new SwfRegistration(this, 'Swf');
    const domain = { domainName: this.registration.domainName, domainArn: this.registration.domainArn };

    this.decider = new DeciderService(this, 'Decider', {
      ...domain,
      flowLogBucket: this.storage.logBucket,
      swfInvokeRole: this.workers.swfInvokeRole,
      ...(props.deciderNetwork ? { network: props.deciderNetwork } : {}),
    });
    this.playback = new Playback(this, 'Playback', { mediaBucket: this.storage.mediaBucket, accessLogBucket: this.storage.logBucket });
    this.starter = new Starter(this, 'Starter', {
      ...domain,
      storage: this.storage,
      swfInvokeRole: this.workers.swfInvokeRole,
      playback: { baseUrl: this.playback.url, signingKey: this.playback.signingKey },
    });
    // Links are signed with the key the function checks only once the store holds it.
    this.starter.node.addDependency(this.playback.keySync);
    // Nothing may poll or start before the domain and types exist.
    this.decider.service.node.addDependency(this.registration.resource);
    this.starter.node.addDependency(this.registration.resource);

    this.operations = new Operations(this, 'Operations', {
      domainName: this.registration.domainName,
      deciderService: this.decider.service,
      deciderCluster: this.decider.cluster,
      uploadEventDlq: this.starter.uploadEventDlq,
      ...(props.alarmTopicArn ? { alarmTopicArn: props.alarmTopicArn } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.starter.api.url, description: 'Starter API base URL (SigV4-signed requests, service execute-api)' });
    new CfnOutput(this, 'PlaybackUrl', {
      value: this.playback.url,
      description: 'CloudFront playback base URL: GET /videos/{id} hands out signed links under it (hls.js plays master.m3u8 as is)',
    });
    new CfnOutput(this, 'UploadEventDlqUrl', { value: this.starter.uploadEventDlq.queueUrl, description: 'Upload events whose workflow start failed after retries' });
    new CfnOutput(this, 'UploadBucketName', { value: this.storage.uploadBucket.bucketName });
    new CfnOutput(this, 'MediaBucketName', { value: this.storage.mediaBucket.bucketName });
    new CfnOutput(this, 'LogBucketName', { value: this.storage.logBucket.bucketName });
    new CfnOutput(this, 'SwfDomainName', { value: this.registration.domainName });
    new CfnOutput(this, 'SwfLambdaRoleArn', { value: this.workers.swfInvokeRole.roleArn, description: 'Passed as lambdaRole when an execution starts' });
    new CfnOutput(this, 'DeciderLogGroupName', { value: this.decider.logGroup.logGroupName });
  }
}
