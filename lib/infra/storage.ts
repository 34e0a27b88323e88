import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface MediaStorageProps {
  /** Days an upload is kept before S3 expires it (the outputs stay). Default 30. */
  uploadRetentionDays?: number;
  /** Days chunked encoding's intermediates (`work/` in the media bucket) are kept. Default 2. */
  intermediateRetentionDays?: number;
  /** Days server access logs are kept. Default 90. */
  accessLogRetentionDays?: number;
}

/** What a principal may do with a bucket's objects. */
export type ObjectAccess = 'read' | 'write' | 'delete';

/**
 * The pipeline's buckets: uploads (browser PUTs through presigned URLs), media (everything made
 * from an upload, read through presigned GETs) and the server access log bucket they log to.
 *
 * All three: SSE-S3, public access blocked, TLS only, owner-enforced object ownership, retained on
 * `cdk destroy` (they hold the videos). Versioning is off on purpose: an upload is written once
 * under a fresh video id and every output can be made again from it, so old versions would only
 * double storage cost; the lifecycle rules below are simpler and cheaper without them.
 */
export class MediaStorage extends Construct {
  readonly logBucket: s3.Bucket;
  readonly uploadBucket: s3.Bucket;
  readonly mediaBucket: s3.Bucket;
  /** The role of CDK's BucketNotificationsHandler, which writes the upload bucket's event configuration. */
  readonly notificationsRole: iam.Role;

  constructor(scope: Construct, id: string, props: MediaStorageProps = {}) {
    super(scope, id);
    // CDK's BucketNotificationsHandler attaches the AWSLambdaBasicExecutionRole managed policy (logs
    // on any log group) to the role it is given unless that role is immutable; so it gets a
    // reference to ours, made below once the bucket's ARN exists.
    let notificationsRole: iam.Role | undefined;
    const notificationsRoleRef = iam.Role.fromRoleArn(
      this,
      'UploadNotificationsRoleRef',
      Lazy.string({ produce: () => notificationsRole!.roleArn }),
      { mutable: false },
    );
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies s3.BucketProps;

    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 90) }],
    });

    this.uploadBucket = new s3.Bucket(this, 'Uploads', {
      ...common,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'uploads/',
      notificationsHandlerRole: notificationsRoleRef,
      lifecycleRules: [
        { id: 'abort-abandoned-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-uploads', expiration: Duration.days(props.uploadRetentionDays ?? 30) },
      ],
      // Browsers PUT the file to a presigned URL from whatever page hosts the uploader.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
    });

    const stack = Stack.of(this);
    notificationsRole = this.notificationsRole = new iam.Role(this, 'UploadNotificationsRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Role of CDK\'s BucketNotificationsHandler: writes the upload bucket\'s event notification configuration at deploy time',
      // Inline, so the handler (which depends on the role) never runs before its permissions exist.
      inlinePolicies: {
        UploadBucketNotifications: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'], resources: [this.uploadBucket.bucketArn] }),
            new iam.PolicyStatement({
              actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/lambda/*BucketNotificationsHandler*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
            }),
          ],
        }),
      },
    });
    Validations.of(this.notificationsRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/*BucketNotificationsHandler*]',
      reason:
        'The logs of aws-cdk-lib\'s BucketNotificationsHandler, whose function name CloudFormation generates; this role replaces the AWSLambdaBasicExecutionRole policy CDK would attach (logs on every log group) through the bucket\'s notificationsHandlerRole.',
    });

    this.mediaBucket = new s3.Bucket(this, 'Media', {
      ...common,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'media/',
      lifecycleRules: [
        { id: 'abort-abandoned-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Chunked encoding's intermediates (encoded chunks, per-rendition audio, thumbnail tiles)
        // live under work/ and no step deletes them: the package step may be retried and needs them.
        { id: 'expire-intermediates', prefix: 'work/', expiration: Duration.days(props.intermediateRetentionDays ?? 2) },
      ],
      // Players fetch through CloudFront (lib/infra/playback.ts); presigned GETs (the API without
      // a distribution, scripts) need CORS on the bucket itself.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Content-Length', 'Content-Range'],
          maxAge: 3000,
        },
      ],
    });
  }

  /**
   * Grants exactly the S3 actions lib/storage's S3BlobStore uses for `access`: read is GetObject
   * (get, presigned GET) plus ListBucket (so a missing key is a 404, not a 403, for head/list);
   * write is PutObject (put, multipart, presigned PUT) and AbortMultipartUpload; delete is
   * DeleteObject.
   */
  static grantObjects(grantee: iam.IGrantable, bucket: s3.IBucket, access: ObjectAccess[]): void {
    const objectActions = [
      ...(access.includes('read') ? ['s3:GetObject'] : []),
      ...(access.includes('write') ? ['s3:PutObject', 's3:AbortMultipartUpload'] : []),
      ...(access.includes('delete') ? ['s3:DeleteObject'] : []),
    ];
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: objectActions, resources: [bucket.arnForObjects('*')] }));
    if (access.includes('read')) {
      grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    }
  }

  /** The cdk-nag finding id for a grant on `bucket`'s objects, for the grantee to acknowledge. */
  static objectWildcardFinding(bucket: s3.IBucket): string {
    const cfn = bucket.node.defaultChild as s3.CfnBucket;
    return `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(cfn)}.Arn>/*]`;
  }
}
