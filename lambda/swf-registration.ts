/**
 * The SWF registration custom resource's onEvent handler (custom-resources Provider framework).
 * Wiring only: the logic is lib/registration, tested against swf-local.
 */
import { SWF } from '@aws-sdk/client-swf';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handleRegistrationEvent, type RegistrationResponse } from '../lib/registration';

// SWF_ENDPOINT lets the same handler run against swf-local.
const swf = new SWF({ ...(process.env.SWF_ENDPOINT ? { endpoint: process.env.SWF_ENDPOINT } : {}), maxAttempts: 5 });

export async function handler(event: CloudFormationCustomResourceEvent): Promise<RegistrationResponse> {
  return handleRegistrationEvent(event, swf, (message, report) => console.log(JSON.stringify({ message, report })));
}
