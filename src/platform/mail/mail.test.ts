import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMailer } from './mail.js';

describe('the development mail drop (no SMTP_URL)', () => {
  it('writes each message as an .eml file and logs only where, never the body', async () => {
    const dropDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-mail-'));
    const logs: string[] = [];
    const mailer = createMailer({ from: 'Visage <no-reply@visage.local>', dropDir, log: (m) => logs.push(m) });
    await mailer.send({ to: 'ana@example.com', subject: 'Your sign-in link', text: 'Open https://visage.local/magic-link?token=SECRET-TOKEN-123' }, { id: 'job-1' });
    const files = fs.readdirSync(dropDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/job-1\.eml$/);
    const eml = fs.readFileSync(path.join(dropDir, files[0]!), 'utf8');
    expect(eml).toMatch(/^To: ana@example.com$/m);
    expect(eml).toMatch(/^Message-ID: <job-1@visage.local>$/m);
    expect(eml).toContain('SECRET-TOKEN-123');
    expect(logs.join('\n')).toContain('ana@example.com');
    expect(logs.join('\n')).not.toContain('SECRET-TOKEN-123');
    expect(mailer.outbox.map((m) => m.subject)).toEqual(['Your sign-in link']);
  });
});
