#!/usr/bin/env tsx
/**
 * The CDK app (cdk.json: "app": "npx tsx bin/app.ts"): `npx cdk synth`, `npx cdk deploy`.
 * Context options: see lib/infra/app.ts.
 */
import { createApp } from '../lib/infra/app';

createApp().app.synth();
