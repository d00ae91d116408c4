import fs from 'node:fs';
import path from 'node:path';

export interface DataDirLock { release(): void }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite has no guard against two processes opening one data directory, and two processes on one
 * directory silently lose writes. A lock file holding our PID refuses the second process; a lock
 * left by a process that died is taken over.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = path.join(dataDir, 'visage.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch { /* already gone */ }
      };
      process.once('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new Error(
          `The data directory ${dataDir} is in use by another Visage process (pid ${pid}). `
          + 'The embedded database allows one process at a time; stop the other process, or use a PostgreSQL server (DATABASE_URL) to run several.');
      }
      fs.rmSync(file, { force: true }); // stale lock from a process that is gone
    }
  }
  throw new Error(`Could not lock the data directory ${dataDir}`);
}
