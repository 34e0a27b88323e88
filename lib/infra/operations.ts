import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WORKFLOW_TYPE } from '../video/definition';

export interface OperationsProps {
  domainName: string;
  deciderService: ecs.FargateService;
  deciderCluster: ecs.ICluster;
  /** The upload-event function's dead-letter queue: any message there is a video that never started. */
  uploadEventDlq: sqs.IQueue;
  /** An existing SNS topic to notify on alarm (and on OK); none by default. */
  alarmTopicArn?: string;
}

/**
 * Alarms: workflow executions that failed or timed out (SWF's AWS/SWF metrics for the
 * ProcessVideo type), uploads whose start failed (the upload event's dead-letter queue), and the
 * decider's health (no running task; CPU pinned).
 */
export class Operations extends Construct {
  readonly workflowsFailed: cloudwatch.Alarm;
  readonly workflowsTimedOut: cloudwatch.Alarm;
  readonly deciderNotRunning: cloudwatch.Alarm;
  readonly deciderCpuHigh: cloudwatch.Alarm;
  readonly uploadStartsFailed: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const workflowMetric = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/SWF',
        metricName,
        dimensionsMap: { Domain: props.domainName, WorkflowTypeName: WORKFLOW_TYPE.name, WorkflowTypeVersion: WORKFLOW_TYPE.version },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      });

    this.workflowsFailed = new cloudwatch.Alarm(this, 'WorkflowsFailed', {
      alarmDescription: `A ${WORKFLOW_TYPE.name} execution failed in SWF domain ${props.domainName} (see its history: npx tsx bin/video.ts history <videoId>)`,
      metric: workflowMetric('WorkflowsFailed'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.workflowsTimedOut = new cloudwatch.Alarm(this, 'WorkflowsTimedOut', {
      alarmDescription: `A ${WORKFLOW_TYPE.name} execution timed out in SWF domain ${props.domainName} (a step or the decider did not answer in time)`,
      metric: workflowMetric('WorkflowsTimedOut'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Container Insights' task count; no data at all also means no decider.
    this.deciderNotRunning = new cloudwatch.Alarm(this, 'DeciderNotRunning', {
      alarmDescription: 'No decider task is running: decision tasks wait and executions stall until it is back',
      metric: new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: { ClusterName: props.deciderCluster.clusterName, ServiceName: props.deciderService.serviceName },
        statistic: cloudwatch.Stats.MINIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.deciderCpuHigh = new cloudwatch.Alarm(this, 'DeciderCpuHigh', {
      alarmDescription: 'The decider has used over 80% of its CPU for 15 minutes: add deciders (desiredCount) or CPU',
      metric: props.deciderService.metricCpuUtilization({ period: Duration.minutes(5), statistic: cloudwatch.Stats.AVERAGE }),
      threshold: 80,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });

    this.uploadStartsFailed = new cloudwatch.Alarm(this, 'UploadStartsFailed', {
      alarmDescription:
        'An upload event could not start its video workflow after Lambda\'s retries: the event is in the upload-event dead-letter queue (the record names the object; re-upload it or start the video again)',
      metric: props.uploadEventDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(new actions.SnsAction(topic));
        alarm.addOkAction(new actions.SnsAction(topic));
      }
    }
  }

  get alarms(): cloudwatch.Alarm[] {
    return [this.workflowsFailed, this.workflowsTimedOut, this.uploadStartsFailed, this.deciderNotRunning, this.deciderCpuHigh];
  }
}
