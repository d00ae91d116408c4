import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldCipher, FieldDecryptError, keyIdOf, loadFieldCipher } from './fields.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-keys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('FieldCipher', () => {
  const cipher = FieldCipher.random();

  it('round-trips text, including non-ASCII and empty strings', () => {
    for (const text of ['No autoimmune disease', '對利多卡因過敏', '']) {
      const sealed = cipher.encrypt(text);
      expect(sealed).toMatch(new RegExp(`^v1:${cipher.keyId}:[A-Za-z0-9+/]+=*$`));
      expect(sealed).not.toContain(text || 'never');
      expect(cipher.decrypt(sealed)).toBe(text);
    }
  });

  it('uses a different IV every time, so equal values do not look equal', () => {
    const a = cipher.encrypt('Penicillin allergy');
    const b = cipher.encrypt('Penicillin allergy');
    expect(a).not.toBe(b);
    const iv = (s: string) => Buffer.from(s.split(':')[2]!, 'base64').subarray(0, 12).toString('hex');
    expect(iv(a)).not.toBe(iv(b));
  });

  it('refuses a tampered value', () => {
    const sealed = cipher.encrypt('Hypertension, on medication');
    const raw = Buffer.from(sealed.split(':')[2]!, 'base64');
    for (const at of [0, 12, 28, raw.length - 1]) { // IV, tag, first and last ciphertext byte
      const bad = Buffer.from(raw);
      bad[at]! ^= 0x01;
      expect(() => cipher.decrypt(`v1:${cipher.keyId}:${bad.toString('base64')}`)).toThrow(FieldDecryptError);
    }
    expect(() => cipher.decrypt(`v1:${cipher.keyId}:${raw.subarray(0, 20).toString('base64')}`)).toThrow(/truncated/);
    expect(() => cipher.decrypt('plain text')).toThrow(FieldDecryptError);
  });

  it('refuses a value sealed with another key, by key id and by authentication', () => {
    const other = FieldCipher.random();
    const sealed = other.encrypt('secret');
    expect(() => cipher.decrypt(sealed)).toThrow(/not loaded/);
    // Same key id forged onto another key's ciphertext: authentication fails.
    const forged = sealed.replace(`:${other.keyId}:`, `:${cipher.keyId}:`);
    expect(() => cipher.decrypt(forged)).toThrow(/failed authentication/);
  });

  it('binds a value to its row when given associated data', () => {
    const sealed = cipher.encrypt('Diabetes', 'patients.medical_history:a');
    expect(cipher.decrypt(sealed, 'patients.medical_history:a')).toBe('Diabetes');
    expect(() => cipher.decrypt(sealed, 'patients.medical_history:b')).toThrow(FieldDecryptError);
  });

  it('decrypts with a previous key after rotation and encrypts with the new one', () => {
    const oldKey = randomBytes(32);
    const sealedOld = new FieldCipher(oldKey).encrypt('keloid history');
    const rotated = new FieldCipher(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(sealedOld)).toBe('keloid history');
    expect(rotated.encrypt('x').split(':')[1]).toBe(rotated.keyId);
  });
});

describe('loadFieldCipher', () => {
  it('uses VISAGE_DATA_KEY and rejects a key of the wrong size', () => {
    const key = randomBytes(32);
    const c = loadFieldCipher({ dataDir: tmp, databaseUrl: 'postgres://x' }, { VISAGE_DATA_KEY: key.toString('base64') });
    expect(c.keyId).toBe(keyIdOf(key));
    expect(() => loadFieldCipher({ dataDir: tmp, databaseUrl: undefined }, { VISAGE_DATA_KEY: randomBytes(16).toString('base64') }))
      .toThrow(/exactly 32 bytes/);
  });

  it('generates the embedded key once, mode 0600, and reads it back', () => {
    const dir = path.join(tmp, 'embedded');
    const first = loadFieldCipher({ dataDir: dir, databaseUrl: undefined }, {});
    const file = path.join(dir, 'keys', 'data.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadFieldCipher({ dataDir: dir, databaseUrl: undefined }, {});
    expect(second.keyId).toBe(first.keyId);
    expect(second.decrypt(first.encrypt('same key'))).toBe('same key');
  });

  it('refuses to start on a server without VISAGE_DATA_KEY unless the key file exists', () => {
    const dir = path.join(tmp, 'server');
    expect(() => loadFieldCipher({ dataDir: dir, databaseUrl: 'postgres://db/visage' }, {})).toThrow(/VISAGE_DATA_KEY is not/);
    expect(fs.existsSync(path.join(dir, 'keys', 'data.key'))).toBe(false);
    fs.mkdirSync(path.join(dir, 'keys'), { recursive: true });
    const key = randomBytes(32);
    fs.writeFileSync(path.join(dir, 'keys', 'data.key'), key.toString('base64'), { mode: 0o600 });
    expect(loadFieldCipher({ dataDir: dir, databaseUrl: 'postgres://db/visage' }, {}).keyId).toBe(keyIdOf(key));
  });
});
