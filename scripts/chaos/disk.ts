/**
 * A file system the run can fill: the database lives on a small tmpfs mounted for the run, and a
 * ballast file takes every free byte to make the disk full, then is deleted to give the space back.
 * Mounting needs root (or CAP_SYS_ADMIN); where the machine refuses it, the run says so and goes on
 * without the full-disk fault on an ordinary folder.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class SmallDisk {
  private ballast: string;

  private constructor(
    readonly dir: string,
    /** Whether this run mounted `dir` (and so can fill and must unmount it). */
    readonly mounted: boolean,
    /** Why there is no small disk, when there is none. */
    readonly refusal?: string,
  ) {
    this.ballast = join(dir, 'ballast');
  }

  /** Mounts a tmpfs of `sizeMb` at `dir`; falls back to the plain folder if mounting is refused. */
  static mount(dir: string, sizeMb: number): SmallDisk {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'chaos-tmpfs', dir], { stdio: 'pipe' });
      return new SmallDisk(dir, true);
    } catch (error) {
      const why = String((error as { stderr?: Buffer }).stderr ?? error).trim();
      return new SmallDisk(dir, false, `mount -t tmpfs refused (${why || 'no reason given'})`);
    }
  }

  freeBytes(): number {
    const s = statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /** Takes every free byte: big writes first, then ever smaller ones until ENOSPC. Returns bytes taken. */
  fill(): number {
    if (!this.mounted) throw new Error('no small disk to fill');
    const fd = openSync(this.ballast, 'a');
    let taken = 0;
    try {
      for (let size = 1 << 20; size >= 512; size >>= 1) {
        const chunk = Buffer.alloc(size);
        for (;;) {
          try {
            taken += writeSync(fd, chunk);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
            break;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return taken;
  }

  /** Gives the space back. */
  release(): void {
    rmSync(this.ballast, { force: true });
  }

  unmount(): void {
    this.release();
    if (this.mounted) execFileSync('umount', ['-l', this.dir], { stdio: 'pipe' });
  }
}
