import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { STEPS, TASK_LISTS } from '../video/definition';
import { LOG_RETENTION } from './function-preset';
import { DECIDER_DOCKERFILE, REPO_ROOT } from './paths';

/**
 * How the decider reaches the SWF API. `public` (default): public subnets and a public IP, no NAT
 * gateway to pay for; the security group admits nothing in. `private-nat`: private subnets behind
 * one NAT gateway (about 32 USD a month more), for accounts that forbid public IPs on tasks.
 */
export type DeciderNetwork = 'public' | 'private-nat';

export interface DeciderServiceProps {
  domainName: string;
  domainArn: string;
  network?: DeciderNetwork;
  /** Where the VPC flow logs go (the access log bucket). */
  flowLogBucket: s3.IBucket;
  /** Running deciders; each decision task goes to exactly one of them. Default 1. */
  desiredCount?: number;
  /**
   * The role SWF assumes to invoke the steps: a child workflow (a rendition encoded in chunks) is
   * started with its parent's `lambdaRole`, since no workflow type has a defaultLambdaRole.
   */
  swfInvokeRole: iam.IRole;
}

/**
 * The decision pseudo-API actions of the video workflows' decider (lib/video/workflow.ts): a long
 * video's renditions are child workflows, started on the decision task list and canceled with
 * their parent.
 */
export const DECIDER_DECISIONS = [
  'swf:ScheduleActivityTask',
  'swf:StartChildWorkflowExecution',
  'swf:RequestCancelExternalWorkflowExecution',
  'swf:RequestCancelActivityTask',
  'swf:StartTimer',
  'swf:CancelTimer',
  'swf:RecordMarker',
  'swf:CompleteWorkflowExecution',
  'swf:FailWorkflowExecution',
  'swf:CancelWorkflowExecution',
] as const;

/**
 * The decider: bin/decider.ts in the repository's Dockerfile image, one Fargate service in its
 * own cluster and VPC. Its task role may poll the decision task list and answer decision tasks in
 * the pipeline's domain, and nothing else. Deployment: rolling, with the circuit breaker rolling a
 * failing deployment back.
 */
export class DeciderService extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DeciderServiceProps) {
    super(scope, id);
    const network = props.network ?? 'public';
    const isPublic = network === 'public';

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: isPublic ? 0 : 1,
      subnetConfiguration: isPublic
        ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }]
        : [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
          ],
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toS3(props.flowLogBucket, 'vpc-flow-logs/'), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Video pipeline decider: no ingress; HTTPS out to SWF, ECR and CloudWatch Logs',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (SWF, ECR, CloudWatch Logs)');

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      // Provides the RunningTaskCount metric the health alarm watches.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addContainer('decider', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, { file: DECIDER_DOCKERFILE, platform: Platform.LINUX_AMD64 }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'decider' }),
      environment: {
        AWS_REGION: Stack.of(this).region,
        SWF_DOMAIN: props.domainName,
        DECISION_TASK_LIST: TASK_LISTS.decisions,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      readonlyRootFilesystem: true,
      // A decision task must be answered within taskStartToClose (60 s); the decider stops polling
      // on SIGTERM and finishes what it holds well inside this.
      stopTimeout: Duration.seconds(90),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The container environment holds configuration only (region, SWF domain name, task list name, log level), no secrets; the task role provides the credentials.',
    });

    const taskRole = this.taskDefinition.taskRole;
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PollDecisionTasks',
        actions: ['swf:PollForDecisionTask'],
        resources: [props.domainArn],
        conditions: { StringEquals: { 'swf:taskList.name': TASK_LISTS.decisions } },
      }),
    );
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AnswerDecisionTasks', actions: ['swf:RespondDecisionTaskCompleted'], resources: [props.domainArn] }));
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ScheduleStepActivities',
        actions: ['swf:ScheduleActivityTask'],
        resources: [props.domainArn],
        conditions: {
          StringEquals: {
            'swf:activityType.name': Object.values(STEPS).map((s) => s.functionName),
            'swf:taskList.name': TASK_LISTS.activities,
          },
        },
      }),
    );
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartChildWorkflows',
        actions: ['swf:StartChildWorkflowExecution'],
        resources: [props.domainArn],
        conditions: { StringEquals: { 'swf:taskList.name': TASK_LISTS.decisions } },
      }),
    );
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassInvokeRoleToChildren',
        actions: ['iam:PassRole'],
        resources: [props.swfInvokeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'swf.amazonaws.com' } },
      }),
    );
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'Decisions',
        actions: DECIDER_DECISIONS.filter((a) => a !== 'swf:ScheduleActivityTask' && a !== 'swf:StartChildWorkflowExecution'),
        resources: [props.domainArn],
      }),
    );
    // The task execution role pulls the image (ecr:GetAuthorizationToken has no resource scope).
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which the task execution role needs to pull the decider image, supports no resource-level permissions.',
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount ?? 1,
      assignPublicIp: isPublic,
      vpcSubnets: { subnetType: isPublic ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      // Start the new decider before stopping the old one: two pollers are fine for SWF.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
  }
}
