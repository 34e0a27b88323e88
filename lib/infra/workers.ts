import { Duration, Size, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { STEPS, type StepName } from '../video/definition';
import { FfmpegLayer, FFMPEG_PATH, FFPROBE_PATH } from './ffmpeg-layer';
import { PipelineFunction } from './function-preset';
import { MediaStorage } from './storage';

export interface StepWorkersProps {
  storage: MediaStorage;
}

/**
 * One Lambda function per STEPS entry, named as the definition says (SWF schedules Lambda tasks by
 * function name), with the step's memory, timeout and ephemeral storage, the ffmpeg layer, and
 * the role SWF assumes to invoke exactly these functions.
 */
export class StepWorkers extends Construct {
  readonly functions: Record<StepName, lambda.IFunction>;
  /** Trusts swf.amazonaws.com; may invoke the step functions and nothing else. Passed as `lambdaRole`. */
  readonly swfInvokeRole: iam.Role;
  readonly ffmpegLayer: FfmpegLayer;

  constructor(scope: Construct, id: string, props: StepWorkersProps) {
    super(scope, id);
    const { storage } = props;
    this.ffmpegLayer = new FfmpegLayer(this, 'Ffmpeg');

    const functions = {} as Record<StepName, lambda.IFunction>;
    for (const [step, def] of Object.entries(STEPS) as [StepName, (typeof STEPS)[StepName]][]) {
      const id = `${step[0]!.toUpperCase()}${step.slice(1)}`;
      const fn = new PipelineFunction(this, id, {
        entry: def.handlerFile,
        functionName: def.functionName,
        description: `Video pipeline step "${step}" (SWF Lambda task ${def.functionName})`,
        memorySize: def.memoryMb,
        timeout: Duration.seconds(def.timeoutSeconds),
        ephemeralStorageSize: Size.mebibytes(def.ephemeralStorageMb),
        layers: [this.ffmpegLayer.layer],
        environment: {
          UPLOAD_BUCKET: storage.uploadBucket.bucketName,
          MEDIA_BUCKET: storage.mediaBucket.bucketName,
          FFMPEG_PATH,
          FFPROBE_PATH,
        },
      });
      // Steps read the upload and read/write what is made from it; they never delete.
      MediaStorage.grantObjects(fn, storage.uploadBucket, ['read']);
      MediaStorage.grantObjects(fn, storage.mediaBucket, ['read', 'write']);
      for (const bucket of [storage.uploadBucket, storage.mediaBucket]) {
        Validations.of(fn.role!).acknowledge({
          id: MediaStorage.objectWildcardFinding(bucket),
          reason: 'Object keys are <videoId>/..., with video ids minted at upload time: the grant is on the bucket\'s objects, with only the S3 actions the step uses.',
        });
      }
      functions[step] = fn;
    }
    this.functions = functions;

    this.swfInvokeRole = new iam.Role(this, 'SwfInvokeRole', {
      assumedBy: new iam.ServicePrincipal('swf.amazonaws.com'),
      description: 'Assumed by Amazon SWF to run the video pipeline\'s Lambda tasks',
      inlinePolicies: {
        InvokeSteps: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['lambda:InvokeFunction'],
              // Unqualified ARNs only: SWF invokes $LATEST by function name.
              resources: Object.values(functions).map((fn) => fn.functionArn),
            }),
          ],
        }),
      },
    });
  }
}
