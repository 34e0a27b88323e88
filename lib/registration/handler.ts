/**
 * The SWF registration custom resource, framework-free: a CloudFormation-shaped event in, the
 * Provider framework's response out. lambda/swf-registration.ts only builds the SWF client.
 *
 *   Create / Update  ensureRegistered: register, adopt or undeprecate; a changed configuration
 *                    of a registered type fails with a message asking for a new version.
 *   Delete           deprecateRegistration: types, then the domain; already deprecated is fine.
 *
 * The physical resource id is the domain name, so renaming the domain is a replacement: the new
 * domain is registered, then CloudFormation deletes (deprecates) the old one.
 */
import { deprecateRegistration, ensureRegistered, type DeprecationReport, type RegistrationReport, type SwfRegistrationClient } from './register';
import { parseRegistrationSpec } from './spec';

/** The parts of a CloudFormation custom resource event the handler reads. */
export interface RegistrationEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
  PhysicalResourceId?: string;
}

export interface RegistrationResponse {
  PhysicalResourceId: string;
  Data: {
    DomainName: string;
    WorkflowTypeName?: string;
    WorkflowTypeVersion?: string;
  };
}

export type RegistrationLog = (message: string, report: RegistrationReport | DeprecationReport) => void;

export async function handleRegistrationEvent(event: RegistrationEvent, swf: SwfRegistrationClient, log: RegistrationLog = () => {}): Promise<RegistrationResponse> {
  const spec = parseRegistrationSpec(event.ResourceProperties);
  const workflow = spec.workflowTypes[0];
  const response: RegistrationResponse = {
    PhysicalResourceId: spec.domain.name,
    Data: {
      DomainName: spec.domain.name,
      ...(workflow ? { WorkflowTypeName: workflow.name, WorkflowTypeVersion: workflow.version } : {}),
    },
  };
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const report = await ensureRegistered(swf, spec);
      log(`${event.RequestType}: SWF domain ${spec.domain.name} and its types are registered`, report);
      return response;
    }
    case 'Delete': {
      const report = await deprecateRegistration(swf, spec);
      log(`Delete: SWF domain ${spec.domain.name} and its types are deprecated (SWF cannot delete a domain)`, report);
      return { ...response, PhysicalResourceId: event.PhysicalResourceId ?? spec.domain.name };
    }
    default:
      throw new Error(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`);
  }
}
