/**
 * The demo's files: before/after photos and thumbnails (drawn, small JPEGs), drawn signatures and
 * signed consent documents, rendered with sharp and written to the organization's file storage.
 */
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { sha256 } from '../../platform/crypto.js';
import { storageKey, type FileStorage } from '../../platform/files/storage.js';
import { consentSvg, escapeXml } from '../records/index.js';
import type { FileSpec } from './demo.generate.js';

export interface StoredFile {
  id: string; org_id: string; kind: string; entity_type: string | null; entity_id: string | null; storage_key: string; original_name: string;
  content_type: string; size_bytes: number; sha256: string; created_by: string; created_at: Date;
}

const SKIN: Record<string, string> = { I: '#f3d9c8', II: '#eac3a6', III: '#d9a784', IV: '#bf8a64', V: '#8f5e3f', VI: '#5e3b27' };

function photoSvg(skinType: string, mediaType: 'before' | 'after', label: string): string {
  const skin = SKIN[skinType] ?? SKIN.III!;
  // "Before" shows uneven tone and a fuller jawline; "after" a smoother, slimmer face.
  const jaw = mediaType === 'before' ? 168 : 150;
  const spots = mediaType === 'before'
    ? [[190, 250], [300, 262], [215, 300], [280, 320], [245, 235]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="7" fill="#7a4b32" opacity="0.35"/>`).join('')
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="600" viewBox="0 0 480 600">`
    + `<defs><radialGradient id="bg" cx="50%" cy="40%" r="70%"><stop offset="0" stop-color="#f4f1ee"/><stop offset="1" stop-color="#d9d4cf"/></radialGradient></defs>`
    + `<rect width="480" height="600" fill="url(#bg)"/>`
    + `<rect x="180" y="430" width="120" height="120" fill="${skin}"/>`
    + `<path d="M240 70 C 340 70 ${240 + jaw} 170 ${240 + jaw} 280 C ${240 + jaw} 380 300 460 240 460 C 180 460 ${240 - jaw} 380 ${240 - jaw} 280 C ${240 - jaw} 170 140 70 240 70 Z" fill="${skin}"/>`
    + `<path d="M150 150 C 180 40 300 40 330 150 C 300 110 180 110 150 150 Z" fill="#2b1d16"/>`
    + `<ellipse cx="195" cy="230" rx="18" ry="8" fill="#3b2a22"/><ellipse cx="285" cy="230" rx="18" ry="8" fill="#3b2a22"/>`
    + `<path d="M170 205 Q 195 195 220 205" stroke="#3b2a22" stroke-width="5" fill="none"/><path d="M260 205 Q 285 195 310 205" stroke="#3b2a22" stroke-width="5" fill="none"/>`
    + `<path d="M240 240 L 232 300 L 248 300" stroke="#00000033" stroke-width="3" fill="none"/>`
    + `<path d="M210 350 Q 240 368 270 350" stroke="#a5524a" stroke-width="7" fill="none" stroke-linecap="round"/>${spots}`
    + `<rect x="0" y="545" width="480" height="55" fill="#00000080"/>`
    + `<text x="16" y="570" font-size="18" fill="#ffffff" font-family="DejaVu Sans, sans-serif">${escapeXml(label)}</text>`
    + `<text x="16" y="592" font-size="14" fill="#dddddd" font-family="DejaVu Sans, sans-serif">Visage demo photo</text></svg>`;
}

/** A signature-like stroke, different for every name. */
function signatureSvg(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  const pts: string[] = [];
  let x = 20;
  for (let i = 0; i < 6; i++) {
    const y1 = 20 + ((h >>> (i * 3)) % 80);
    const y2 = 30 + ((h >>> (i * 2 + 1)) % 70);
    pts.push(`${x + 25} ${y1}, ${x + 45} ${y2}, ${x + 60} ${50 + ((h >>> i) % 30)}`);
    x += 60;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120"><rect width="400" height="120" fill="#ffffff"/>`
    + `<path d="M20 70 C ${pts.join(' S ').replace(/^[^,]+, /, '')}" stroke="#1a237e" stroke-width="3" fill="none" stroke-linecap="round"/></svg>`;
}

async function render(spec: FileSpec, signatures: Map<string, Buffer>, photos: Map<string, Promise<Buffer>>, orgName: string, timezone: string): Promise<{ bytes: Buffer; contentType: string }> {
  const r = spec.render;
  if (r.type === 'photo') {
    // Photos of the same skin type, treatment and moment look alike: each variant is drawn once.
    const key = `${r.skinType}|${r.mediaType}|${r.label}|${r.thumbnail}`;
    let bytes = photos.get(key);
    if (!bytes) {
      const image = sharp(Buffer.from(photoSvg(r.skinType, r.mediaType, r.label)));
      bytes = r.thumbnail ? image.resize(160, 200).jpeg({ quality: 70 }).toBuffer() : image.jpeg({ quality: 72 }).toBuffer();
      photos.set(key, bytes);
    }
    return { bytes: await bytes, contentType: 'image/jpeg' };
  }
  if (r.type === 'signature') return { bytes: await sharp(Buffer.from(signatureSvg(r.name))).png({ palette: true, colours: 8 }).toBuffer(), contentType: 'image/png' };
  const signaturePng = signatures.get(r.signatureFileId);
  if (!signaturePng) throw new Error('a consent document is rendered after its signature');
  const svg = consentSvg({
    organization: orgName, title: r.title, body: r.body, version: r.version, treatment: r.treatment, patient: r.patient, signedName: r.signedName,
    signaturePng, signedAt: r.signedAt, timezone, ip: r.ip, consentId: r.consentId, templateId: r.templateId,
  }, { width: 400, height: 120 });
  // Two thirds of the signing page's resolution, grayscale JPEG: still legible, a fraction of the bytes and time.
  return { bytes: await sharp(Buffer.from(svg), { density: 48 }).grayscale().jpeg({ quality: 70 }).toBuffer(), contentType: 'image/jpeg' };
}

/** Renders and stores every file (a few at a time), and answers the `files` rows to insert. */
export async function storeDemoFiles(storage: FileStorage, orgId: string, orgName: string, timezone: string, specs: FileSpec[]): Promise<StoredFile[]> {
  const signatures = new Map<string, Buffer>();
  const photos = new Map<string, Promise<Buffer>>();
  const out: StoredFile[] = [];
  const one = async (spec: FileSpec) => {
    const { bytes, contentType } = await render(spec, signatures, photos, orgName, timezone);
    if (spec.render.type === 'signature') signatures.set(spec.id, bytes);
    const key = storageKey(orgId, spec.id, spec.createdAt);
    const digest = sha256(bytes);
    await storage.put(key, Readable.from([bytes]), { contentType, sizeBytes: bytes.length, sha256: digest });
    out.push({ id: spec.id, org_id: orgId, kind: spec.kind, entity_type: spec.entityType, entity_id: spec.entityId, storage_key: key,
      original_name: spec.originalName, content_type: contentType, size_bytes: bytes.length, sha256: digest, created_by: spec.createdBy, created_at: spec.createdAt });
  };
  // Signatures first: documents embed them.
  const ordered = [...specs.filter((s) => s.render.type === 'signature'), ...specs.filter((s) => s.render.type !== 'signature')];
  const signatureCount = specs.filter((s) => s.render.type === 'signature').length;
  await pool(ordered.slice(0, signatureCount), 6, one);
  await pool(ordered.slice(signatureCount), 6, one);
  return out;
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
