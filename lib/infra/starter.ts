import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TASK_LISTS, WORKFLOW_TYPE } from '../video/definition';
import { LOG_RETENTION, PipelineFunction } from './function-preset';
import { MediaStorage } from './storage';

export interface StarterProps {
  storage: MediaStorage;
  domainName: string;
  domainArn: string;
  /** Passed as `lambdaRole` when an execution starts. */
  swfInvokeRole: iam.IRole;
  /** Download links through CloudFront: the distribution's URL and the signing key's secret. */
  playback?: { baseUrl: string; signingKey: secretsmanager.ISecret };
  /** Steady-state requests per second across the API, and the burst above it. */
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
}

/**
 * The starters: the HTTP API (API Gateway REST API, IAM-authorized, in front of lambda/api.ts)
 * and the upload event (S3 ObjectCreated on the upload bucket -> lambda/upload-event.ts). Both
 * start ProcessVideo executions with the SWF invoke role as `lambdaRole`.
 *
 * S3 invokes the upload-event function asynchronously: Lambda retries a failed invocation twice,
 * then sends the event to a dead-letter queue (`uploadEventDlq`, alarmed in Operations), so a
 * start that never happened is never silent.
 */
export class Starter extends Construct {
  readonly api: apigw.RestApi;
  readonly apiFunction: PipelineFunction;
  readonly uploadEventFunction: PipelineFunction;
  /** Upload events whose start failed after Lambda's retries (on-failure destination). */
  readonly uploadEventDlq: sqs.Queue;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StarterProps) {
    super(scope, id);
    const { storage } = props;
    const environment = {
      UPLOAD_BUCKET: storage.uploadBucket.bucketName,
      MEDIA_BUCKET: storage.mediaBucket.bucketName,
      SWF_DOMAIN: props.domainName,
      LAMBDA_ROLE_ARN: props.swfInvokeRole.roleArn,
    };

    this.apiFunction = new PipelineFunction(this, 'ApiHandler', {
      entry: 'api',
      description: 'Video pipeline HTTP API: uploads, starts, status, history, cancel',
      memorySize: 512,
      // API Gateway gives an integration 29 s.
      timeout: Duration.seconds(29),
      environment: {
        ...environment,
        ...(props.playback ? { PLAYBACK_BASE_URL: props.playback.baseUrl, PLAYBACK_KEY_SECRET_ARN: props.playback.signingKey.secretArn } : {}),
      },
    });
    props.playback?.signingKey.grantRead(this.apiFunction);
    this.uploadEventFunction = new PipelineFunction(this, 'UploadEventHandler', {
      entry: 'upload-event',
      description: 'Starts the video workflow when an upload lands in the upload bucket',
      memorySize: 256,
      timeout: Duration.seconds(60),
      environment,
    });
    this.uploadEventDlq = new sqs.Queue(this, 'UploadEventDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS keeps a message: time to notice the alarm and replay the event.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.uploadEventDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: the on-failure destination of the upload-event function.',
    });
    this.uploadEventFunction.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.uploadEventDlq),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });

    // The API: upload records and uploads (read, write, delete an empty upload), presigned reads of
    // the outputs, and the SWF calls behind start/status/history/list/cancel.
    MediaStorage.grantObjects(this.apiFunction, storage.uploadBucket, ['read', 'write', 'delete']);
    MediaStorage.grantObjects(this.apiFunction, storage.mediaBucket, ['read']);
    grantStartExecutions(this.apiFunction, props);
    this.apiFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'swf:DescribeWorkflowExecution',
          'swf:GetWorkflowExecutionHistory',
          'swf:ListOpenWorkflowExecutions',
          'swf:ListClosedWorkflowExecutions',
          'swf:RequestCancelWorkflowExecution',
        ],
        resources: [props.domainArn],
      }),
    );
    // The upload event: reads the upload record, finds an existing run, starts one, or records why
    // it refused the upload (only that record may be written).
    MediaStorage.grantObjects(this.uploadEventFunction, storage.uploadBucket, ['read']);
    this.uploadEventFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [storage.uploadBucket.arnForObjects('*/upload-rejected.json')] }));
    grantStartExecutions(this.uploadEventFunction, props);
    for (const [fn, buckets] of [
      [this.apiFunction, [storage.uploadBucket, storage.mediaBucket]],
      [this.uploadEventFunction, [storage.uploadBucket]],
    ] as const) {
      for (const bucket of buckets) {
        Validations.of(fn.role!).acknowledge({
          id: MediaStorage.objectWildcardFinding(bucket),
          reason: 'Object keys are <videoId>/..., with video ids minted per upload: the grant is on the bucket\'s objects, with only the S3 actions the starter uses.',
        });
      }
    }
    Validations.of(this.uploadEventFunction.role!).acknowledge({
      id: `${MediaStorage.objectWildcardFinding(storage.uploadBucket).slice(0, -1)}/upload-rejected.json]`,
      reason: 'The upload event writes only <videoId>/upload-rejected.json (why it refused an upload) for any video id.',
    });

    storage.uploadBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.uploadEventFunction));
    // CDK's BucketNotificationsHandler writes this configuration with MediaStorage.notificationsRole.
    this.accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: 'video-pipeline',
      description: 'Video pipeline starter API (IAM/SigV4-authorized)',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Uploads through the API arrive as bytes; lambda/api.ts decodes base64 bodies.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 20,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 40,
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    // The stack exports the URL as ApiUrl; drop RestApi's own generated output.
    this.api.node.tryRemoveChild('Endpoint');
    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const integration = new apigw.LambdaIntegration(this.apiFunction, { proxy: true });
    this.api.root.addMethod('ANY', integration, { requestValidator: validator });
    this.api.root.addProxy({ anyMethod: false }).addMethod('ANY', integration, { requestValidator: validator });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Every method requires IAM (SigV4) authorization, so only the account\'s own principals can call it, and stage throttling bounds the rate; a WAF web ACL would add at least 5 USD a month at rest for no added protection.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'The API is authorized with IAM (SigV4, AuthorizationType.IAM on every method), not a Cognito user pool: callers are AWS principals (the CLI, scripts).',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level role API Gateway uses to write execution and access logs; AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it.',
    });
  }
}

/** StartWorkflowExecution of ProcessVideo on its decision task list only, and iam:PassRole of the invoke role to SWF. */
function grantStartExecutions(fn: PipelineFunction, props: StarterProps): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['swf:StartWorkflowExecution'],
      resources: [props.domainArn],
      conditions: {
        StringEquals: {
          'swf:workflowType.name': WORKFLOW_TYPE.name,
          'swf:workflowType.version': WORKFLOW_TYPE.version,
          'swf:taskList.name': TASK_LISTS.decisions,
        },
      },
    }),
  );
  // Finding an existing run of the video (idempotent starts).
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['swf:ListOpenWorkflowExecutions', 'swf:ListClosedWorkflowExecutions'], resources: [props.domainArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [props.swfInvokeRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'swf.amazonaws.com' } },
    }),
  );
}
