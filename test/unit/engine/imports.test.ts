/**
 * lib/engine's imports form no circle (type-only imports included: a circle of types is still a
 * circle in the design), and lib/engine reaches no other folder of lib/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const ENGINE = join(ROOT, 'lib/engine');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of every `import ... from`, `export ... from`, `import('...')` and `require('...')`. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

function resolveModule(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** The import graph of lib/engine: file -> files it imports (.ts only). */
function engineGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourcesUnder(ENGINE)) {
    const targets = specifiersOf(readFileSync(file, 'utf8'))
      .map((s) => resolveModule(file, s) ?? resolve(dirname(file), s))
      .filter((t) => t.endsWith('.ts'));
    graph.set(file, targets);
  }
  return graph;
}

/** Every circle found by a depth-first walk, each as the list of files around it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

const short = (files: string[]) => files.map((f) => relative(ENGINE, f)).join(' -> ');

test('the walk finds a circle when there is one', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  expect(specifiersOf(`import type { X } from './x';\nexport { y } from "../y";\nimport './side';\nconst z = require('./z');`)).toEqual(['./x', '../y', './side', './z']);
});

test('lib/engine has no import circle', () => {
  expect(findCycles(engineGraph()).map(short)).toEqual([]);
});

test('lib/engine imports nothing from the rest of lib/', () => {
  const outside = [...engineGraph()].flatMap(([file, targets]) =>
    targets.filter((t) => !t.startsWith(ENGINE + '/')).map((t) => `${relative(ROOT, file)} -> ${relative(ROOT, t)}`),
  );
  expect(outside).toEqual([]);
});
