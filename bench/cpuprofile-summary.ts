/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function, inclusive time
 * by function, and self time by file / category.
 *
 *   npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [topN]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

let ROOT = process.cwd();

function shortUrl(url: string): string {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(ROOT + '/')) u = u.slice(ROOT.length + 1);
  return u.replace(/\?.*$/, '');
}

function fnKey(cf: CallFrame): string {
  const name = cf.functionName || '(anonymous)';
  const url = shortUrl(cf.url);
  return url ? `${name}  ${url}:${cf.lineNumber + 1}` : name;
}

function category(cf: CallFrame): string {
  const url = shortUrl(cf.url);
  if (!url) {
    if (cf.functionName.startsWith('(')) return cf.functionName; // (garbage collector), (program), (idle)
    return '(native/builtin)';
  }
  if (url.startsWith('node:')) {
    const m = /^node:(internal\/)?([a-z_]+)/.exec(url);
    return `node:${m ? m[2] : url}`;
  }
  const nm = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `node_modules/${nm[1]}`;
  return url;
}

export function summarizeCpuProfile(file: string, topN = 25, root = process.cwd()): string {
  ROOT = root;
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const cats = new Map<string, number>();
  let total = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0; // the interval that follows sample i
    const node = byId.get(p.samples[i]!)!;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    add(self, fnKey(cf), dt);
    add(cats, category(cf), dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = fnKey(byId.get(id)!.callFrame);
      if (k === '(root)' || seen.has(k)) continue;
      seen.add(k);
      add(incl, k, dt);
    }
  }

  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const ms = (v: number) => `${(v / 1000).toFixed(0).padStart(7)} ms`;
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const lines: string[] = [];
  lines.push(`profile ${file}`);
  lines.push(`  busy ${ms(total)}, idle ${ms(idle)}, ${p.samples.length} samples`);
  lines.push('', `  self time by file / category (top ${topN}):`);
  for (const [k, v] of top(cats, topN)) lines.push(`    ${pct(v)} ${ms(v)}  ${k}`);
  lines.push('', `  self time by function (top ${topN}):`);
  for (const [k, v] of top(self, topN)) lines.push(`    ${pct(v)} ${ms(v)}  ${k}`);
  lines.push('', `  inclusive time by function (top ${topN * 2}):`);
  for (const [k, v] of top(incl, topN * 2)) lines.push(`    ${pct(v)} ${ms(v)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/cpuprofile-summary.ts <file.cpuprofile> [topN]');
    process.exit(2);
  }
  console.log(summarizeCpuProfile(file, Number(process.argv[3] ?? 25)));
}
