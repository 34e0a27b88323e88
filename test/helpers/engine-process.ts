import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const TSX = resolve(REPO, 'node_modules/.bin/tsx');
const BANNER = /swf-local listening on (http:\/\/[^\s]+:(\d+))/;

/** swf-local running as a child process (the CLI under tsx), in a process group of its own. */
export interface EngineProcess {
  endpoint: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGKILL to the whole group (tsx runs the engine in a child of its own); resolves once all are gone. */
  kill9(): Promise<void>;
}

const live = new Set<ChildProcess>();

function cliArgs(db: string, extra: string[]): string[] {
  return ['bin/swf-local.ts', '--port', '0', '--db', db, '--poll-timeout', '2', ...extra];
}

function launch(db: string, extra: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(TSX, cliArgs(db, extra), { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to `child`'s whole process group (it must have been spawned detached); resolves once all are gone. */
export async function killGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid!;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
  // The engine process itself is tsx's child: wait until the whole group has gone.
  const until = Date.now() + 5000;
  while (groupAlive(pgid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (groupAlive(pgid)) throw new Error(`process group ${pgid} survived SIGKILL`);
}

/** Starts the CLI on `db` and resolves when its banner names the port. */
export function spawnEngine(db: string, extra: string[] = [], timeoutMs = 30_000): Promise<EngineProcess> {
  const { child, output } = launch(db, extra);
  return new Promise<EngineProcess>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void killGroup(child);
      reject(new Error(`swf-local did not print its banner within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const onData = () => {
      const m = BANNER.exec(output());
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolvePromise({ endpoint: m[1]!, port: Number(m[2]), child, output, kill9: () => killGroup(child) });
    };
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`swf-local exited (${code ?? signal}) before listening:\n${output()}`));
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Runs the CLI on `db` expecting it to give up; resolves with its exit code and output. */
export function runEngineToExit(db: string, extra: string[] = [], timeoutMs = 30_000): Promise<{ code: number | null; output: string; listened: boolean }> {
  const { child, output } = launch(db, extra);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void killGroup(child);
      reject(new Error(`swf-local did not exit within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output: output(), listened: BANNER.test(output()) });
    });
  });
}

/** Kills every engine these helpers started that is still running (for afterAll). */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...live].map((c) => killGroup(c).catch(() => undefined)));
}
