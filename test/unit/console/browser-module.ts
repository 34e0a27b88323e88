import { readFileSync } from 'node:fs';

/**
 * Loads one of the console's browser ES modules (plain JS, no imports) into this test: the
 * `export` keywords are dropped and the exported names returned. The modules hold the page's
 * pure logic; the DOM parts are guarded by `typeof window` and exercised by the browser test.
 */
export function loadBrowserModule<T = Record<string, any>>(file: string): T {
  const source = readFileSync(file, 'utf8');
  if (/^\s*import\s/m.test(source)) throw new Error(`${file} imports other modules; load it in the browser test instead`);
  const names: string[] = [];
  const body = source.replace(/^export\s+(async\s+function|function|const|let|class)\s+([A-Za-z_$][\w$]*)/gm, (_m, kind: string, name: string) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  if (/^export\s/m.test(body)) throw new Error(`${file}: an export form this loader does not handle`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`"use strict";\n${body}\nreturn { ${names.join(', ')} };`)() as T;
}
