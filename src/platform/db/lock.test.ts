import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock } from './lock.js';

describe('the data directory lock', () => {
  it('refuses a second process with a clear message while the first holds the directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-lock-'));
    const lock = acquireDataDirLock(dir);
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', '-e',
        `import('${path.resolve('src/platform/db/lock.ts')}').then(m => m.acquireDataDirLock(${JSON.stringify(dir)})).then(() => console.log('ACQUIRED'), e => { console.error(e.message); process.exit(3); })`], { encoding: 'utf8' });
      expect(child.status).toBe(3);
      expect(child.stderr).toMatch(/in use by another Visage process \(pid \d+\)/);
    } finally {
      lock.release();
    }
    // Once released, another process may take it.
    const again = acquireDataDirLock(dir);
    again.release();
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-lock-'));
    fs.writeFileSync(path.join(dir, 'visage.lock'), '999999');
    const lock = acquireDataDirLock(dir);
    expect(fs.readFileSync(path.join(dir, 'visage.lock'), 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(path.join(dir, 'visage.lock'))).toBe(false);
  });
});
