import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { registrationSpec, type RegistrationSpec } from '../registration/spec';
import { PipelineFunction } from './function-preset';
import { customResourceProvider } from './provider';
import { swfDomainArn } from './swf';

/**
 * CloudFormation has no SWF resource types, so a custom resource (Provider framework, handler
 * lambda/swf-registration.ts over lib/registration) registers the domain, the workflow type and
 * one activity type per step, as lib/video/definition.ts names them. The whole registration spec
 * is the resource's properties: changing anything in the definition is an Update, which fails with
 * a clear message when a registered type would need a new version. Delete deprecates (SWF cannot
 * delete a domain).
 *
 * The spec names no IAM role (no defaultLambdaRole): the invoke role is re-created with a new ARN
 * after a rollback or a destroy, and SWF cannot change a registered type, so the starters pass
 * `lambdaRole` on every StartWorkflowExecution instead. Nothing registered depends on a resource
 * of the stack, so Create after Delete always succeeds.
 */
export class SwfRegistration extends Construct {
  readonly spec: RegistrationSpec;
  readonly domainName: string;
  readonly domainArn: string;
  readonly resource: CustomResource;
  readonly handler: PipelineFunction;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.spec = registrationSpec();
    this.domainName = this.spec.domain.name;
    this.domainArn = swfDomainArn(stack, this.domainName);

    this.handler = new PipelineFunction(this, 'Handler', {
      entry: 'swf-registration',
      description: 'Registers (Create/Update) or deprecates (Delete) the video pipeline\'s SWF domain and types',
      timeout: Duration.minutes(2),
      memorySize: 256,
    });
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'swf:DescribeDomain',
          'swf:DeprecateDomain',
          'swf:UndeprecateDomain',
          'swf:RegisterWorkflowType',
          'swf:DescribeWorkflowType',
          'swf:DeprecateWorkflowType',
          'swf:UndeprecateWorkflowType',
          'swf:RegisterActivityType',
          'swf:DescribeActivityType',
          'swf:DeprecateActivityType',
          'swf:UndeprecateActivityType',
        ],
        resources: [this.domainArn],
      }),
    );
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['swf:RegisterDomain'], resources: ['*'] }));
    Validations.of(this.handler.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'swf:RegisterDomain supports no resource-level permissions (Service Authorization Reference), so it is granted on "*"; every other SWF action is on the domain ARN. Active X-Ray tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" for the same reason.',
    });

    const provider = customResourceProvider(this, this.handler, 'SWF registration');

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SwfRegistration',
      properties: this.spec as unknown as Record<string, unknown>,
    });
  }
}
