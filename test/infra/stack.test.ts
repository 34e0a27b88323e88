/**
 * The VideoPipeline stack's resources and their key properties: one synth per variant (without
 * bundling; synth.test.ts covers bundling), targeted assertions.
 */
import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { Match } from 'aws-cdk-lib/assertions';
import { registrationSpec } from '../../lib/registration/spec';
import { swfDomainArn } from '../../lib/infra/swf';
import { DECIDER_DECISIONS } from '../../lib/infra/decider';
import { DOMAIN, RENDITION_WORKFLOW_TYPE, RETENTION_DAYS, STEPS, TASK_LISTS, WORKFLOW_TYPE } from '../../lib/video/definition';
import { DISK_MARGIN_MB, packageDiskBudgetBytes } from '../../lib/video/package';
import { resourcesOf, synthPipeline, type Synthesized } from './synth';

let s: Synthesized;
let domainArn: unknown;
/** Logical ids of the main resources. */
const id = (construct: { node: { defaultChild?: unknown } } | undefined): string => s.stack.getLogicalId(construct!.node.defaultChild as never);

beforeAll(() => {
  s = synthPipeline();
  domainArn = s.stack.resolve(swfDomainArn(s.stack));
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>>; Effect: string };

/** The statements of the inline default policy attached to `roleLogicalId`. */
function statementsOf(roleLogicalId: string): Statement[] {
  const policies = resourcesOf(s.templateJson, 'AWS::IAM::Policy').filter(([, p]) => (p.Properties?.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId));
  return policies.flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (st: Statement): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);
const roleOf = (fnLogicalId: string): string => (s.templateJson as any).Resources[fnLogicalId].Properties.Role['Fn::GetAtt'][0];

describe('storage', () => {
  test('four buckets: SSE-S3, public access blocked, owner-enforced (CloudFront\'s log bucket: owner-preferred, for its log ACLs), not versioned, retained', () => {
    const buckets = resourcesOf(s.templateJson, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(4);
    for (const [logicalId, bucket] of buckets) {
      expect(bucket.Properties!.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      const ownership = logicalId === id(s.stack.playback.logBucket) ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced';
      expect(bucket.Properties!.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: ownership }] });
      expect(bucket.Properties!.VersioningConfiguration).toBeUndefined();
      expect((s.templateJson as any).Resources[logicalId].DeletionPolicy).toBe('Retain');
    }
  });

  test('every bucket policy denies requests without TLS', () => {
    const policies = resourcesOf(s.templateJson, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(4);
    for (const [, policy] of policies) {
      expect(policy.Properties!.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } }),
      );
    }
  });

  test('uploads: abandoned multipart uploads aborted after 1 day, uploads expire, browser PUT from any origin, access logs', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
          Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'], AllowedOrigins: ['*'] })] },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(s.stack.storage.logBucket) }, LogFilePrefix: 'uploads/' },
    });
  });

  test('media: GET from any origin, abandoned multipart uploads aborted, outputs never expire but chunk intermediates (work/) do, access logs', () => {
    const media = (s.templateJson as any).Resources[id(s.stack.storage.mediaBucket)].Properties;
    expect(media.CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'] })]);
    expect(media.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      expect.objectContaining({ Prefix: 'work/', ExpirationInDays: 2, Status: 'Enabled' }),
    ]);
    expect(media.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: id(s.stack.storage.logBucket) }, LogFilePrefix: 'media/' });
  });
});

describe('step functions', () => {
  test('the package function has the disk its step budgets for: the MP4 plus the margin', () => {
    const fns = s.template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: STEPS.packageRendition.functionName } });
    const sizes = Object.values(fns).map((r) => (r as { Properties: { EphemeralStorage: { Size: number } } }).Properties.EphemeralStorage.Size);
    expect(sizes).toHaveLength(1);
    expect(packageDiskBudgetBytes({})).toBe((sizes[0]! - DISK_MARGIN_MB) * 1024 * 1024);
  });

  test.each(Object.entries(STEPS))('%s: name, memory, timeout, storage, runtime, architecture, layer, env from the definition', (_step, def) => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: def.functionName,
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      MemorySize: def.memoryMb,
      Timeout: def.timeoutSeconds,
      EphemeralStorage: { Size: def.ephemeralStorageMb },
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      Layers: [{ Ref: id(s.stack.workers.ffmpegLayer.layer) }],
      Environment: {
        Variables: Match.objectLike({
          UPLOAD_BUCKET: { Ref: id(s.stack.storage.uploadBucket) },
          MEDIA_BUCKET: { Ref: id(s.stack.storage.mediaBucket) },
          FFMPEG_PATH: '/opt/bin/ffmpeg',
          FFPROBE_PATH: '/opt/bin/ffprobe',
        }),
      },
    });
  });

  test('the ffmpeg layer is for x86_64 and the Node.js 22 runtime', () => {
    s.template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['x86_64'], CompatibleRuntimes: ['nodejs22.x'] });
  });

  test('every function of ours has its own log group (30 days) and a role without managed policies', () => {
    const ours = resourcesOf(s.templateJson, 'AWS::Lambda::Function').filter(([, f]) => f.Properties!.Runtime === 'nodejs22.x');
    expect(ours).toHaveLength(Object.keys(STEPS).length + 4); // + registration handler, API, upload event, playback key sync
    for (const [, fn] of ours) {
      const logGroup = (s.templateJson as any).Resources[fn.Properties!.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Properties.RetentionInDays).toBe(30);
      const role = (s.templateJson as any).Resources[fn.Properties!.Role['Fn::GetAtt'][0]];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('steps read uploads and read/write media, and never delete', () => {
    const uploads = id(s.stack.storage.uploadBucket);
    const media = id(s.stack.storage.mediaBucket);
    const objects = (bucket: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] });
    for (const fn of Object.values(s.stack.workers.functions)) {
      const statements = statementsOf(roleOf(id(fn as never)));
      const s3 = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')));
      expect(s3).toContainEqual(expect.objectContaining({ Action: 's3:GetObject', Resource: objects(uploads) }));
      expect(s3).toContainEqual(expect.objectContaining({ Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], Resource: objects(media) }));
      expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    }
  });

  test('the role SWF assumes trusts swf.amazonaws.com and may only invoke the four step functions', () => {
    const role = (s.templateJson as any).Resources[id(s.stack.workers.swfInvokeRole)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'swf.amazonaws.com' } }]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('lambda:InvokeFunction');
    const fnIds = Object.values(s.stack.workers.functions).map((fn) => id(fn as never));
    expect(statements[0].Resource).toEqual(expect.arrayContaining(fnIds.map((f) => ({ 'Fn::GetAtt': [f, 'Arn'] }))));
    expect(statements[0].Resource).toHaveLength(fnIds.length);
    expect(statementsOf(id(s.stack.workers.swfInvokeRole))).toEqual([]);
  });
});

describe('SWF registration custom resource', () => {
  test('its properties are the registration spec of the definition, and name no resource of the stack (a re-created role cannot conflict)', () => {
    const [[, resource]] = resourcesOf(s.templateJson, 'Custom::SwfRegistration') as [[string, { Properties: Record<string, unknown> }]];
    const { ServiceToken, ...properties } = resource.Properties;
    expect(ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SwfProviderframeworkonEvent/), 'Arn'] });
    expect(properties).toEqual(JSON.parse(JSON.stringify(registrationSpec())));
    // Plain data: no Ref/Fn::GetAtt, so a role re-created with a new ARN changes nothing registered.
    expect(JSON.stringify(properties)).not.toMatch(/Fn::|"Ref"|lambdaRole/);
    expect(properties).toMatchObject({
      domain: { name: DOMAIN, retentionDays: RETENTION_DAYS },
      workflowTypes: [WORKFLOW_TYPE, RENDITION_WORKFLOW_TYPE].map((t) => ({ name: t.name, version: t.version, defaults: { taskList: TASK_LISTS.decisions } })),
    });
    expect((properties.activityTypes as { name: string }[]).map((a) => a.name)).toEqual(Object.values(STEPS).map((st) => st.functionName));
  });

  test('the handler runs lambda/swf-registration.ts and may touch only the domain (RegisterDomain has no resource scope)', () => {
    const statements = statementsOf(roleOf(id(s.stack.registration.handler)));
    const swf = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('swf:')));
    for (const st of swf) {
      if (st.Resource === '*') expect(actionsOf(st).filter((a) => a.startsWith('swf:'))).toEqual(['swf:RegisterDomain']);
      else expect(st.Resource).toEqual(domainArn);
    }
    expect(swf.flatMap(actionsOf).filter((a) => a.startsWith('swf:')).sort()).toEqual(
      [
        'swf:DeprecateActivityType',
        'swf:DeprecateDomain',
        'swf:DeprecateWorkflowType',
        'swf:DescribeActivityType',
        'swf:DescribeDomain',
        'swf:DescribeWorkflowType',
        'swf:RegisterActivityType',
        'swf:RegisterDomain',
        'swf:RegisterWorkflowType',
        'swf:UndeprecateActivityType',
        'swf:UndeprecateDomain',
        'swf:UndeprecateWorkflowType',
      ].sort(),
    );
    // It registers no role, so it passes none.
    expect(statements.filter((st) => actionsOf(st).includes('iam:PassRole'))).toEqual([]);
  });

  test('the decider and the starters wait for the registration', () => {
    const cr = s.stack.getLogicalId(s.stack.registration.resource.node.defaultChild as never);
    const resources = (s.templateJson as any).Resources;
    expect(resources[id(s.stack.decider.service)].DependsOn).toContain(cr);
    expect(resources[id(s.stack.starter.apiFunction)].DependsOn).toContain(cr);
    expect(resources[id(s.stack.starter.uploadEventFunction)].DependsOn).toContain(cr);
  });
});

describe('decider', () => {
  test('no NAT gateway: public subnets only, public IP on the task, no ingress', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, subnet] of resourcesOf(s.templateJson, 'AWS::EC2::Subnet')) expect(subnet.Properties!.MapPublicIpOnLaunch).toBe(true);
    s.template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
    });
    const sg = (s.templateJson as any).Resources[id(s.stack.decider.securityGroup)].Properties;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
    s.template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  test('rolling deployment with the circuit breaker rolling back', () => {
    s.template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
    });
  });

  test('the container: the Dockerfile image, the domain and task list, logs kept 30 days, read-only root', () => {
    s.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Image: { 'Fn::Sub': Match.stringLikeRegexp('container-assets') },
          ReadonlyRootFilesystem: true,
          Environment: Match.arrayWith([{ Name: 'SWF_DOMAIN', Value: DOMAIN }, { Name: 'DECISION_TASK_LIST', Value: TASK_LISTS.decisions }]),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    expect((s.templateJson as any).Resources[id(s.stack.decider.logGroup)].Properties.RetentionInDays).toBe(30);
    s.template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('the task role: SWF decisions on the domain ARN only, polling only the decision task list, passing only the invoke role', () => {
    const taskRole = s.stack.getLogicalId(s.stack.decider.taskDefinition.taskRole.node.defaultChild as never);
    const statements = statementsOf(taskRole);
    const swf = statements.filter((st) => actionsOf(st).every((a) => a.startsWith('swf:')));
    for (const st of swf) expect(st.Resource).toEqual(domainArn);
    expect(swf.flatMap(actionsOf).sort()).toEqual(['swf:PollForDecisionTask', 'swf:RespondDecisionTaskCompleted', ...DECIDER_DECISIONS].sort());
    // Child workflows (a long video's renditions): on the decision task list, with the parent's lambdaRole.
    expect(statements.find((st) => st.Action === 'swf:StartChildWorkflowExecution')?.Condition).toEqual({ StringEquals: { 'swf:taskList.name': TASK_LISTS.decisions } });
    expect(statements.filter((st) => !swf.includes(st))).toEqual([
      expect.objectContaining({
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [id(s.stack.workers.swfInvokeRole), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'swf.amazonaws.com' } },
      }),
    ]);
    expect(statements.find((st) => st.Action === 'swf:PollForDecisionTask')?.Condition).toEqual({ StringEquals: { 'swf:taskList.name': TASK_LISTS.decisions } });
    expect(statements.find((st) => st.Action === 'swf:ScheduleActivityTask')?.Condition).toEqual({
      StringEquals: { 'swf:activityType.name': Object.values(STEPS).map((st) => st.functionName), 'swf:taskList.name': TASK_LISTS.activities },
    });
  });
});

describe('starter', () => {
  test('every API method requires IAM (SigV4) authorization and the request validator', () => {
    const methods = resourcesOf(s.templateJson, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThanOrEqual(2);
    for (const [, method] of methods) {
      expect(method.Properties!.AuthorizationType).toBe('AWS_IAM');
      expect(method.Properties!.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/Validator/) });
      expect(method.Properties!.Integration).toMatchObject({ Type: 'AWS_PROXY', Uri: expect.anything() });
    }
    s.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  test('the stage throttles, writes access logs and traces; API Gateway has its CloudWatch role', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40, LoggingLevel: 'ERROR' })],
    });
    s.template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('API and upload-event functions get the buckets, the domain and the invoke role ARN', () => {
    for (const fn of [s.stack.starter.apiFunction, s.stack.starter.uploadEventFunction]) {
      expect((s.templateJson as any).Resources[id(fn)].Properties.Environment.Variables).toMatchObject({
        UPLOAD_BUCKET: { Ref: id(s.stack.storage.uploadBucket) },
        MEDIA_BUCKET: { Ref: id(s.stack.storage.mediaBucket) },
        SWF_DOMAIN: DOMAIN,
        LAMBDA_ROLE_ARN: { 'Fn::GetAtt': [id(s.stack.workers.swfInvokeRole), 'Arn'] },
      });
    }
  });

  test('starting is limited to ProcessVideo on the decision task list, and only the invoke role may be passed, to SWF', () => {
    for (const fn of [s.stack.starter.apiFunction, s.stack.starter.uploadEventFunction]) {
      const statements = statementsOf(roleOf(id(fn)));
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'swf:StartWorkflowExecution',
          Resource: domainArn,
          Condition: {
            StringEquals: { 'swf:workflowType.name': WORKFLOW_TYPE.name, 'swf:workflowType.version': WORKFLOW_TYPE.version, 'swf:taskList.name': TASK_LISTS.decisions },
          },
        }),
      );
      for (const st of statements.filter((x) => actionsOf(x).some((a) => a.startsWith('swf:')))) expect(st.Resource).toEqual(domainArn);
      const passRole = statements.filter((st) => actionsOf(st).includes('iam:PassRole'));
      expect(passRole).toEqual([
        expect.objectContaining({
          Resource: { 'Fn::GetAtt': [id(s.stack.workers.swfInvokeRole), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'swf.amazonaws.com' } },
        }),
      ]);
    }
  });

  test('a failed upload event is retried twice, then goes to the dead-letter queue (encrypted, TLS only, kept 14 days)', () => {
    const fn = id(s.stack.starter.uploadEventFunction);
    const dlq = id(s.stack.starter.uploadEventDlq);
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    expect((s.templateJson as any).Resources[dlq].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    expect(statementsOf(roleOf(fn))).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }));
  });

  test('the upload event may write only the rejection record to the upload bucket', () => {
    const writes = statementsOf(roleOf(id(s.stack.starter.uploadEventFunction))).filter((st) => actionsOf(st).some((a) => a.startsWith('s3:Put')));
    expect(writes).toEqual([
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(s.stack.storage.uploadBucket), 'Arn'] }, '/*/upload-rejected.json']] } }),
    ]);
  });

  test('the bucket notifications handler runs with our role: no managed policy, only the upload bucket\'s notifications and its own logs', () => {
    const handlers = resourcesOf(s.templateJson, 'AWS::Lambda::Function').filter(([logicalId]) => logicalId.startsWith('BucketNotificationsHandler'));
    expect(handlers).toHaveLength(1);
    expect(handlers[0]![1].Properties!.Role).toEqual({ 'Fn::GetAtt': [id(s.stack.storage.notificationsRole), 'Arn'] });
    const role = (s.templateJson as any).Resources[id(s.stack.storage.notificationsRole)].Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      expect.objectContaining({ Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'], Resource: { 'Fn::GetAtt': [id(s.stack.storage.uploadBucket), 'Arn'] } }),
      expect.objectContaining({ Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'] }),
    ]);
    expect(JSON.stringify(statements[1].Resource)).toContain(':log-group:/aws/lambda/*BucketNotificationsHandler*');
    expect(statementsOf(id(s.stack.storage.notificationsRole))).toEqual([]);
  });

  test('ObjectCreated on the upload bucket invokes the upload-event function', () => {
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: id(s.stack.storage.uploadBucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'], LambdaFunctionArn: { 'Fn::GetAtt': [id(s.stack.starter.uploadEventFunction), 'Arn'] } }],
      },
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [id(s.stack.starter.uploadEventFunction), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [id(s.stack.storage.uploadBucket), 'Arn'] },
    });
  });
});

describe('playback', () => {
  const distribution = () => (s.templateJson as any).Resources[id(s.stack.playback.distribution)].Properties.DistributionConfig;

  test('a CloudFront distribution serves the media bucket through origin access control (no OAI, bucket stays private)', () => {
    const config = distribution();
    expect(config.Origins).toHaveLength(1);
    const origin = config.Origins[0];
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [id(s.stack.storage.mediaBucket), 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    s.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    s.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    // The media bucket admits exactly this distribution, for reads.
    const policy = resourcesOf(s.templateJson, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties!.Bucket.Ref === id(s.stack.storage.mediaBucket))![1];
    expect(policy.Properties!.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    );
    expect(JSON.stringify(policy.Properties!.PolicyDocument.Statement)).toContain(id(s.stack.playback.distribution));
  });

  test('every request goes through the token function (viewer request, cloudfront-js-2.0, with the key store), HTTPS only, GET/HEAD/OPTIONS', () => {
    const behavior = distribution().DefaultCacheBehavior;
    expect(behavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD', 'OPTIONS'] });
    expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [id(s.stack.playback.authFunction), 'FunctionARN'] } }]);
    expect(distribution().CacheBehaviors).toBeUndefined();
    const fn = (s.templateJson as any).Resources[id(s.stack.playback.authFunction)].Properties;
    expect(fn.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [id(s.stack.playback.keyValueStore), 'Arn'] } }] });
    expect(fn.FunctionCode).toContain('verifyPlaybackUri');
    expect(distribution().Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [id(s.stack.playback.logBucket), 'RegionalDomainName'] } });
  });

  test('the signing key is generated at deploy time (never in the template), copied into the key store, and readable by the API only', () => {
    const secret = (s.templateJson as any).Resources[id(s.stack.playback.signingKey)].Properties;
    expect(secret.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(secret.SecretString).toBeUndefined();
    const sync = resourcesOf(s.templateJson, 'Custom::PlaybackSigningKey');
    expect(sync).toHaveLength(1);
    expect(sync[0]![1].Properties).toMatchObject({
      SecretArn: { Ref: id(s.stack.playback.signingKey) },
      KeyValueStoreArn: { 'Fn::GetAtt': [id(s.stack.playback.keyValueStore), 'Arn'] },
    });
    const readers = resourcesOf(s.templateJson, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties!.PolicyDocument).includes('secretsmanager:GetSecretValue'))
      .flatMap(([, p]) => (p.Properties!.Roles as { Ref: string }[]).map((r) => r.Ref))
      .sort();
    expect(readers).toEqual([roleOf(id(s.stack.starter.apiFunction)), s.stack.getLogicalId(s.stack.playback.node.findChild('KeySyncHandlerRole').node.defaultChild as never)].sort());
  });

  test('the API signs its download links with that key, under the distribution\'s URL, once the key is in the store', () => {
    const api = (s.templateJson as any).Resources[id(s.stack.starter.apiFunction)];
    expect(api.Properties.Environment.Variables).toMatchObject({
      PLAYBACK_BASE_URL: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(s.stack.playback.distribution), 'DomainName'] }]] },
      PLAYBACK_KEY_SECRET_ARN: { Ref: id(s.stack.playback.signingKey) },
    });
    expect(api.DependsOn).toContain(s.stack.getLogicalId(s.stack.playback.keySync.node.defaultChild as never));
  });
});

describe('operations', () => {
  test.each(['WorkflowsFailed', 'WorkflowsTimedOut'])('an alarm on %s of ProcessVideo in the domain', (metric) => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SWF',
      MetricName: metric,
      Dimensions: Match.arrayWith([
        { Name: 'Domain', Value: DOMAIN },
        { Name: 'WorkflowTypeName', Value: WORKFLOW_TYPE.name },
        { Name: 'WorkflowTypeVersion', Value: WORKFLOW_TYPE.version },
      ]),
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('decider health: fewer than one running task (missing data counts), CPU over 80%', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'RunningTaskCount',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Threshold: 80 });
    for (const [, alarm] of resourcesOf(s.templateJson, 'AWS::CloudWatch::Alarm')) expect(alarm.Properties!.AlarmActions).toBeUndefined();
  });

  test('an alarm on the upload-event dead-letter queue: one message is a video that never started', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(s.stack.starter.uploadEventDlq), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('outputs: API URL, playback URL, the DLQ, buckets, domain, invoke role', () => {
    const names = ['ApiUrl', 'PlaybackUrl', 'UploadEventDlqUrl', 'UploadBucketName', 'MediaBucketName', 'LogBucketName', 'SwfDomainName', 'SwfLambdaRoleArn', 'DeciderLogGroupName'];
    for (const name of names) s.template.hasOutput(name, {});
    s.template.hasOutput('SwfDomainName', { Value: DOMAIN });
    s.template.hasOutput('PlaybackUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(s.stack.playback.distribution), 'DomainName'] }]] } });
    expect(Object.keys((s.templateJson as any).Outputs).sort()).toEqual(names.sort());
  });
});

describe('context options', () => {
  test('deciderNetwork=private-nat: private subnets behind one NAT gateway, no public IP', () => {
    const p = synthPipeline({ context: { deciderNetwork: 'private-nat' } });
    p.template.resourceCountIs('AWS::EC2::NatGateway', 1);
    p.template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) } });
  });

  test('alarmTopicArn: every alarm notifies the topic', () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:video-alarms';
    const p = synthPipeline({ context: { alarmTopicArn: topic, uploadRetentionDays: '7' } });
    const alarms = resourcesOf(p.templateJson, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(5);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties!.AlarmActions).toEqual([topic]);
      expect(alarm.Properties!.OKActions).toEqual([topic]);
    }
    p.template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) } });
  });

  test('bad values are refused with the name of the option', () => {
    expect(() => synthPipeline({ context: { deciderNetwork: 'nat' } })).toThrow('context deciderNetwork must be "public" or "private-nat"');
    expect(() => synthPipeline({ context: { uploadRetentionDays: 'forever' } })).toThrow('context uploadRetentionDays must be a whole number');
  });
});
