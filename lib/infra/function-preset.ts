import { Duration, RemovalPolicy, Validations, type Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOCK_FILE, REPO_ROOT, lambdaEntry } from './paths';

/**
 * The one preset every Lambda function of the stack is built from: runtime, architecture, tracing,
 * logging (a log group with retention, JSON logs), bundling (local esbuild, never Docker) and a
 * role of its own that may write only to its own log group. Each feature construct adds what its
 * functions need on top (environment, layers, grants).
 */

/**
 * Node.js 22 on x86_64: the decider image runs node:22 too, and the ffmpeg/ffprobe static binaries
 * of @ffmpeg-installer / @ffprobe-installer are linux x86_64 builds.
 */
export const RUNTIME = lambda.Runtime.NODEJS_22_X;
export const ARCHITECTURE = lambda.Architecture.X86_64;
export const ESBUILD_TARGET = 'node22';
/** How long function, container, access and flow logs are kept. */
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * Modules left out of the bundles. The ffmpeg installers resolve their binary with a dynamic
 * require that a bundle cannot follow; on Lambda FFMPEG_PATH / FFPROBE_PATH point at the layer and
 * lib/video/ffmpeg.ts only requires the installers when those are unset. The AWS SDK is bundled
 * (not taken from the runtime) so the deployed code runs the SDK version the tests ran.
 */
export const EXTERNAL_MODULES = ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'];

export interface PipelineFunctionOptions {
  /** The handler module, lambda/<entry>.ts, exporting `handler`. */
  entry: string;
  description: string;
  /** A fixed name (the step functions: SWF schedules them by name); generated when unset. */
  functionName?: string;
  memorySize?: number;
  timeout?: Duration;
  ephemeralStorageSize?: Size;
  environment?: Record<string, string>;
  layers?: lambda.ILayerVersion[];
}

/** NodejsFunctionProps for `options`; creates the function's role and log group in `scope`. */
export function pipelineFunctionProps(scope: Construct, id: string, options: PipelineFunctionOptions): NodejsFunctionProps {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: LOG_RETENTION,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${options.functionName ?? `the ${id} function`}`,
  });
  // Instead of the AWSLambdaBasicExecutionRole managed policy (any log group): its own group only.
  logGroup.grantWrite(role);
  return {
    entry: lambdaEntry(options.entry),
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: LOCK_FILE,
    runtime: RUNTIME,
    architecture: ARCHITECTURE,
    description: options.description,
    ...(options.functionName ? { functionName: options.functionName } : {}),
    memorySize: options.memorySize ?? 512,
    timeout: options.timeout ?? Duration.seconds(30),
    ...(options.ephemeralStorageSize ? { ephemeralStorageSize: options.ephemeralStorageSize } : {}),
    ...(options.layers ? { layers: options.layers } : {}),
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    tracing: lambda.Tracing.ACTIVE,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'video-pipeline',
      ...options.environment,
    },
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      target: ESBUILD_TARGET,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      externalModules: EXTERNAL_MODULES,
    },
  };
}

/** A NodejsFunction built from the preset, with the preset's findings acknowledged once, here. */
export class PipelineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, options: PipelineFunctionOptions) {
    super(scope, id, pipelineFunctionProps(scope, id, options));
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x (LTS, supported into 2027) so the Lambda steps run the same Node.js major as the decider image (node:22); moving to nodejs24.x is the one RUNTIME constant in lib/infra/function-preset.ts, together with the Dockerfile.',
    });
    if (this.role) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so CDK grants them on "*".',
      });
    }
  }
}
