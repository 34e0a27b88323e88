/**
 * Synthesizes the video pipeline app for the infra tests. Without bundling by default (the
 * `aws:cdk:bundling-stacks` context set to none, so no esbuild run and no 150 MB layer copy) and
 * without the built-in CloudFormation validation unless asked: synth.test.ts runs the real
 * `cdk synth` with both, the other tests look at the template, which is the same either way but
 * for asset hashes.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { createApp, STACK_NAME, type PipelineApp } from '../../lib/infra/app';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The context cdk.json gives the app (feature flags and CLI settings). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  /** Extra context, e.g. `{ deciderNetwork: 'private-nat' }`. */
  context?: Record<string, unknown>;
  /** Run cdk-nag (default false here). */
  nag?: boolean;
  /** Run the built-in CloudFormation validation plugin (default false here). */
  cfnValidation?: boolean;
  /** Bundle the Lambda code and the ffmpeg layer (default false here). */
  bundling?: boolean;
}

export interface Synthesized extends PipelineApp {
  assembly: CloudAssembly;
  template: Template;
  templateJson: Record<string, unknown>;
  templatePath: string;
}

export function synthPipeline(options: SynthOptions = {}): Synthesized {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...options.context };
  if (!options.bundling) context['aws:cdk:bundling-stacks'] = [];
  const pipeline = createApp({ context, nag: options.nag ?? false, builtinCloudFormationValidation: options.cfnValidation ?? false });
  const assembly = pipeline.app.synth();
  const artifact = assembly.getStackByName(STACK_NAME);
  const templateJson = artifact.template as Record<string, unknown>;
  return { ...pipeline, assembly, templateJson, template: Template.fromJSON(templateJson), templatePath: artifact.templateFullPath };
}

/** Resources of `type` in the template, as [logicalId, resource] pairs. */
export function resourcesOf(templateJson: Record<string, unknown>, type: string): [string, { Properties?: Record<string, any>; DependsOn?: string[] }][] {
  const resources = (templateJson.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, any> }>;
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}
