import * as path from 'node:path';

/**
 * Where the stack finds what it deploys. lib/infra reaches lambda/ and the Dockerfile by path only
 * (never by import), so the CDK app does not load runtime code.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** lambda/<name>.ts */
export function lambdaEntry(name: string): string {
  return path.join(REPO_ROOT, 'lambda', `${name}.ts`);
}

export const LOCK_FILE = path.join(REPO_ROOT, 'package-lock.json');

/** The decider image's Dockerfile, relative to REPO_ROOT (the build context). */
export const DECIDER_DOCKERFILE = 'Dockerfile';

export const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
