/**
 * The engine under test: swf-local as a real process (bin/swf-local.ts) on one database file, on a
 * fixed port so that clients keep their endpoint across `kill -9` and restart.
 */
import { createServer } from 'node:net';
import { cpuMs, findEngineProcess } from '../../bench/proc-stats';
import { spawnEngine, type EngineProcess } from '../../test/helpers/engine-process';

export interface EngineSettings {
  db: string;
  lambdaFunctions: string;
  /** Long-poll hold in seconds: short, so pollers notice a restarted engine soon. */
  pollTimeoutSeconds: number;
}

/** A free loopback port, chosen once for the whole run. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export class EngineControl {
  private current: EngineProcess | undefined;
  /** The node process that runs the engine (tsx's child), for its CPU time. */
  private enginePid: number | undefined;
  /** CPU time of the engine processes already killed. */
  private deadCpuMs = 0;
  /** CPU time the engine processes spent starting (tsx compiling the CLI, opening the database) up to their banner. */
  startupCpuMs = 0;
  /** Start-ups timed, for the report. */
  readonly restartMs: number[] = [];

  private constructor(
    readonly settings: EngineSettings,
    readonly port: number,
    private readonly onCrash: (message: string) => void,
  ) {}

  /** `onCrash` hears of an engine that exited without being killed, with the end of its output. */
  static async create(settings: EngineSettings, onCrash: (message: string) => void): Promise<EngineControl> {
    return new EngineControl(settings, await freePort(), onCrash);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** The CLI arguments after the database (the same for the engine and for a second one on the file). */
  args(): string[] {
    return ['--port', String(this.port), '--poll-timeout', String(this.settings.pollTimeoutSeconds), '--lambda-functions', this.settings.lambdaFunctions];
  }

  async start(): Promise<void> {
    if (this.current) throw new Error('the engine is already running');
    const began = Date.now();
    // The old process's port can stay bound for a moment after kill -9; try again briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        const engine = await spawnEngine(this.settings.db, this.args(), 60_000);
        this.current = engine;
        this.enginePid = findEngineProcess(engine.child.pid!, 'swf-local.ts');
        this.startupCpuMs += this.cpuMs() - this.deadCpuMs;
        engine.child.once('exit', (code, signal) => {
          if (this.current !== engine) return; // killed by us
          this.current = undefined;
          this.enginePid = undefined;
          this.onCrash(`the engine exited by itself (${code ?? signal}):\n${engine.output().slice(-2000)}`);
        });
        break;
      } catch (error) {
        if (attempt >= 10 || !/EADDRINUSE/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    this.restartMs.push(Date.now() - began);
  }

  /** Starts the engine again if it died by itself (the crash is already reported). */
  async ensureRunning(): Promise<void> {
    if (!this.current) await this.start();
  }

  /** SIGKILL to the engine's whole process group. */
  async kill9(): Promise<void> {
    const engine = this.current;
    this.deadCpuMs = this.cpuMs();
    this.current = undefined;
    this.enginePid = undefined;
    await engine?.kill9();
  }

  /**
   * CPU time (user + system) every engine process of the run has used so far, start-ups included:
   * what the engine itself costs, whatever else runs on the machine. A process that exited by
   * itself cannot be read any more and is left out (its crash is reported anyway).
   */
  cpuMs(): number {
    if (this.enginePid === undefined) return this.deadCpuMs;
    try {
      return this.deadCpuMs + cpuMs(this.enginePid);
    } catch {
      return this.deadCpuMs;
    }
  }

  async stop(): Promise<void> {
    await this.kill9();
  }
}
