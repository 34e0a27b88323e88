import type { Stack } from 'aws-cdk-lib';
import { DOMAIN } from '../video/definition';

/**
 * The SWF domain's ARN, `arn:<partition>:swf:<region>:<account>:/domain/<DOMAIN>`: the only
 * resource SWF policies can name, so every SWF statement of the stack is scoped to it.
 */
export function swfDomainArn(stack: Stack, domain: string = DOMAIN): string {
  return `arn:${stack.partition}:swf:${stack.region}:${stack.account}:/domain/${domain}`;
}
