/**
 * The app passes cdk-nag's AwsSolutions pack and CDK's built-in CloudFormation rules with nothing
 * left over, every acknowledgement is specific and still needed, and cfn-lint finds nothing in
 * the synthesized template.
 */
import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthPipeline, type Synthesized } from './synth';

interface Violation {
  ruleName: string;
  severity: string;
  description: string;
  violatingConstructs?: { constructPath: string }[];
}
interface Report {
  pluginReports: { pluginName: string; conclusion?: string; violations: Violation[] }[];
}

/** Every (rule id, resource path) cdk-nag found acknowledged, recorded while it runs. */
const acknowledgedHits: { ruleId: string; path: string }[] = [];
let s: Synthesized;
let report: Report | undefined;
let synthError: unknown;

beforeAll(() => {
  const proto = NagPack.prototype as unknown as { isAcknowledged(resource: IConstruct, ruleId: string): boolean };
  const original = proto.isAcknowledged;
  const spy = jest.spyOn(proto, 'isAcknowledged').mockImplementation(function (this: NagPack, resource: IConstruct, ruleId: string) {
    const acknowledged = original.call(this, resource, ruleId);
    if (acknowledged) acknowledgedHits.push({ ruleId, path: resource.node.path });
    return acknowledged;
  });
  try {
    s = synthPipeline({ nag: true, cfnValidation: true });
  } catch (error) {
    synthError = error;
  } finally {
    spy.mockRestore();
  }
  if (s) report = JSON.parse(readFileSync(path.join(s.assembly.directory, 'validation-report.json'), 'utf8')) as Report;
}, 120_000);

const describeViolations = (violations: Violation[]): string =>
  violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}\n    ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join('\n    ')}`).join('\n');

describe('validation at synth', () => {
  test('synthesis succeeds with cdk-nag AwsSolutions and the built-in CloudFormation rules enabled', () => {
    expect(synthError).toBeUndefined();
    expect(report).toBeDefined();
    // cdk-nag ran: it consulted the acknowledgements (a clean report lists no plugin at all).
    expect(acknowledgedHits.length).toBeGreaterThan(0);
  });

  test('cdk-nag AwsSolutions: no unacknowledged error or warning', () => {
    const nag = report!.pluginReports.filter((p) => p.pluginName === 'AwsSolutions').flatMap((p) => p.violations);
    expect(describeViolations(nag)).toBe('');
  });

  test('no other finding either (CloudFormation rules, construct annotations)', () => {
    const other = report!.pluginReports.filter((p) => p.pluginName !== 'AwsSolutions').flatMap((p) => p.violations);
    expect(describeViolations(other)).toBe('');
  });
});

describe('acknowledgements', () => {
  /** Every acknowledgement recorded on a construct: [path, id, reason]. */
  function acknowledgements(): { path: string; id: string; reason: string }[] {
    const out: { path: string; id: string; reason: string }[] = [];
    for (const c of s.app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    return out;
  }
  const ours = () => acknowledgements().filter((a) => a.id.startsWith('AwsSolutions-'));

  test('every cdk-nag acknowledgement is specific: a rule (and finding) id and a reason of its own', () => {
    const acks = ours();
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(a.reason.length).toBeGreaterThanOrEqual(60);
    }
    // IAM5 is only ever acknowledged for a named finding, never the whole rule.
    for (const a of acks.filter((x) => x.id.startsWith('AwsSolutions-IAM5'))) expect(a.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
    // No stack- or app-wide acknowledgement.
    for (const a of acks) expect(a.path.split('/').length).toBeGreaterThan(1);
  });

  test('every cdk-nag acknowledgement is still needed: it silences a finding on its construct or below', () => {
    const unused = ours().filter((a) => !acknowledgedHits.some((h) => h.ruleId === a.id && (h.path === a.path || h.path.startsWith(`${a.path}/`))));
    expect(unused).toEqual([]);
  });
});

describe('cfn-lint', () => {
  test('the synthesized template passes cfn-lint', () => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error(
        'cfn-lint is not installed or not on PATH: this test cannot prove the templates are valid. Install it (pip install cfn-lint) and run the tests again.',
      );
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
    try {
      const files: string[] = [];
      for (const stack of s.assembly.stacks) {
        const file = path.join(dir, path.basename(stack.templateFile));
        writeFileSync(file, JSON.stringify(stack.template, null, 1));
        files.push(file);
      }
      expect(files.length).toBeGreaterThan(0);
      // W3005 (a DependsOn already implied by a GetAtt) is ignored: aws-cdk-lib's Function adds an
      // explicit DependsOn on its role (and on the role's policy, which is not otherwise implied).
      const run = spawnSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', 'W3005', '--', ...files], { encoding: 'utf8', timeout: 120_000 });
      expect({ status: run.status, findings: `${run.stdout}${run.stderr}`.trim() }).toEqual({ status: 0, findings: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
