import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Field-level encryption for PHI columns (medical history, allergy notes, intake answers...).
 *
 * AES-256-GCM with a fresh random 96-bit IV per value. Stored as text:
 *   v1:<keyId>:<base64(iv | tag | ciphertext)>
 * `keyId` is the first 8 hex digits of SHA-256(key): a value sealed with a key that is not loaded is
 * refused by name instead of failing as "tampered". An optional `aad` (e.g. "patients.medical_history:<id>")
 * binds a value to its row and column, so a ciphertext copied into another row does not decrypt.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class FieldDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDecryptError';
  }
}

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** Parses a base64 key; anything but exactly 32 bytes is refused with a message naming `source`. */
export function parseKey(base64: string, source: string): Buffer {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new Error(`${source} must be base64 of 32 random bytes (generate one with: openssl rand -base64 32).`);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${source} must be base64 of exactly 32 bytes, got ${key.length} (generate one with: openssl rand -base64 32).`);
  return key;
}

export class FieldCipher {
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  /** `key` encrypts and decrypts; `previous` keys only decrypt (rotation). */
  constructor(private readonly key: Buffer, previous: Buffer[] = []) {
    if (key.length !== KEY_BYTES) throw new Error('a field key is 32 bytes');
    this.keyId = keyIdOf(key);
    for (const k of [key, ...previous]) this.keys.set(keyIdOf(k), k);
  }

  /**
   * An HMAC-SHA256 tag of `data` under a key derived from the field key for `purpose` (a cookie's
   * integrity, say), so one purpose's tags are worthless for another and for decryption.
   */
  mac(purpose: string, data: string): string {
    const subkey = createHmac('sha256', this.key).update(`visage mac: ${purpose}`).digest();
    return createHmac('sha256', subkey).update(data).digest('base64url');
  }

  /** A throw-away key (tests). */
  static random(): FieldCipher {
    return new FieldCipher(randomBytes(KEY_BYTES));
  }

  encrypt(plaintext: string, aad?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${this.keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(stored: string, aad?: string): string {
    const parts = stored.split(':');
    if (parts.length !== 3 || parts[0] !== VERSION) throw new FieldDecryptError('not an encrypted field value (expected v1:<keyId>:<data>)');
    const key = this.keys.get(parts[1]!);
    if (!key) throw new FieldDecryptError(`encrypted with key ${parts[1]}, which is not loaded (this process has ${[...this.keys.keys()].join(', ')})`);
    const raw = Buffer.from(parts[2]!, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new FieldDecryptError('encrypted field value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldDecryptError('encrypted field value failed authentication (altered, moved to another row, or a different key)');
    }
  }

  encryptNullable(plaintext: string | null | undefined, aad?: string): string | null {
    return plaintext === null || plaintext === undefined ? null : this.encrypt(plaintext, aad);
  }

  decryptNullable(stored: string | null | undefined, aad?: string): string | null {
    return stored === null || stored === undefined ? null : this.decrypt(stored, aad);
  }
}

export interface KeySource {
  dataDir: string;
  databaseUrl: string | undefined;
}

/**
 * The data key: VISAGE_DATA_KEY (base64 of 32 bytes) when set; otherwise `<dataDir>/keys/data.key`,
 * generated once (mode 0600) for the embedded database. With a server DATABASE_URL and neither the
 * variable nor an existing key file, start-up is refused: a key generated on one API host would
 * make data written there unreadable on the others.
 */
export function loadFieldCipher(source: KeySource, env: NodeJS.ProcessEnv = process.env): FieldCipher {
  const fromEnv = env.VISAGE_DATA_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return new FieldCipher(parseKey(fromEnv, 'VISAGE_DATA_KEY'));
  const file = path.join(source.dataDir, 'keys', 'data.key');
  if (fs.existsSync(file)) return new FieldCipher(parseKey(fs.readFileSync(file, 'utf8'), file));
  if (source.databaseUrl) {
    throw new Error('Refusing to start: DATABASE_URL is set but VISAGE_DATA_KEY is not. Medical fields are encrypted with this key, '
      + 'and every process sharing the database needs the same one. Set VISAGE_DATA_KEY to base64 of 32 random bytes '
      + `(openssl rand -base64 32) and keep it safe, or place it in ${file}.`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx': never overwrite a key another process wrote a moment ago.
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return new FieldCipher(parseKey(fs.readFileSync(file, 'utf8'), file));
    throw err;
  }
  return new FieldCipher(key);
}
