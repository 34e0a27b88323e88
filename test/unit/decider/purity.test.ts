/**
 * The decider seam (docs/ARCHITECTURE.md): lib/decider, and the workflow code that runs on it,
 * are pure - no node: modules, no SDK calls (SDK *types* only), no clock, no randomness, no I/O.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const deciderDir = join(root, 'lib', 'decider');
const videoDir = join(root, 'lib', 'video');

const sources: string[] = [
  ...readdirSync(deciderDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(deciderDir, f)),
  ...readdirSync(videoDir)
    .filter((f) => /^workflow.*\.ts$/.test(f) || f === 'ladder.ts')
    .map((f) => join(videoDir, f)),
];

/** Code without comments, so prose like "the decider process." does not count. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const FORBIDDEN: [string, RegExp][] = [
  ['node: import', /from\s+['"]node:|import\(\s*['"]node:/],
  ['require()', /\brequire\s*\(/],
  ['Date.now', /\bDate\.now\b/],
  ['new Date(', /\bnew\s+Date\s*\(/],
  ['Math.random', /\bMath\.random\b/],
  ['process.', /\bprocess\./],
  ['fetch(', /\bfetch\s*\(/],
  ['setTimeout/setInterval', /\bset(Timeout|Interval|Immediate)\s*\(/],
  ['crypto', /\bcrypto\b/],
];

/** Modules the pure code may import: relative files, and @aws-sdk/client-swf for types only. */
function badImports(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const [, , typeOnly, module] = m;
    if (!module) continue;
    if (module.startsWith('.')) continue;
    if (module === '@aws-sdk/client-swf' && typeOnly) continue;
    bad.push(m[0].trim());
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) bad.push(m[0].trim());
  return bad;
}

describe('decider purity', () => {
  it('finds the sources it checks', () => {
    const names = sources.map((s) => s.slice(root.length + 1));
    expect(names).toEqual(expect.arrayContaining(['lib/decider/index.ts', 'lib/decider/view.ts', 'lib/video/workflow.ts', 'lib/video/ladder.ts']));
  });

  it.each(sources.map((s) => [s.slice(root.length + 1), s]))('%s uses no clock, randomness, I/O or SDK calls', (_name, file) => {
    const text = code(readFileSync(file, 'utf8'));
    const hits = FORBIDDEN.filter(([, re]) => re.test(text)).map(([what]) => what);
    expect(hits).toEqual([]);
    expect(badImports(text)).toEqual([]);
  });

  it('would catch a violation', () => {
    const sample = code(`import { SWF } from '@aws-sdk/client-swf';\nimport { readFileSync } from 'node:fs';\nconst t = Date.now(); // fine in a comment: Math.random\n`);
    expect(FORBIDDEN.filter(([, re]) => re.test(sample)).map(([w]) => w)).toEqual(['node: import', 'Date.now']);
    expect(badImports(sample)).toHaveLength(2);
  });
});
