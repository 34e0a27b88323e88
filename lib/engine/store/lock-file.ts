import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** Files this process has open as engine databases. */
const openHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Keeps a second engine off a database file: `<file>.lock` holds the owner's pid. A lock left by a
 * process that no longer runs (kill -9) is taken over. The engine's long-poll waiters live in
 * memory, so two engines on one file would each miss the other's tasks.
 */
export function acquireLock(file: string): () => void {
  const lockFile = `${file}.lock`;
  if (openHere.has(file)) throw new Error(`database ${file} is locked: this process already runs an engine on it`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      openHere.add(file);
      return () => {
        openHere.delete(file);
        try {
          if (readFileSync(lockFile, 'utf8') === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(lockFile, 'utf8'));
      } catch {
        // Removed meanwhile: try again.
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new Error(`database ${file} is locked: swf-local process ${owner} is using it`);
      }
      try {
        unlinkSync(lockFile);
      } catch {
        // Another starter removed it first.
      }
    }
  }
  throw new Error(`database ${file} is locked: could not take ${lockFile}`);
}
