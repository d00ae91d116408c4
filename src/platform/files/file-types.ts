import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { AppError } from '../http/problem.js';

export const FILE_KINDS = ['document', 'photo', 'scan', 'signature', 'other'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/avif'];
/** Documents and scans also come from flatbed scanners (TIFF) and as PDF. */
const DOCUMENT_TYPES = ['application/pdf', ...PHOTO_TYPES, 'image/tiff'];

/**
 * What each kind accepts, by the type read from the file's own bytes. Deliberately absent: HTML,
 * SVG, scripts, archives and executables, which a browser or a desktop could run.
 */
export const ALLOWED_TYPES: Record<FileKind, readonly string[]> = {
  photo: PHOTO_TYPES,
  document: DOCUMENT_TYPES,
  scan: DOCUMENT_TYPES,
  signature: ['image/png', 'image/jpeg', 'image/webp'],
  other: DOCUMENT_TYPES,
};

/** The real type of a file from its magic bytes; the client's Content-Type and file name are not trusted. */
export async function detectAllowedType(path: string, kind: FileKind): Promise<string> {
  const detected = (await fileTypeFromFile(path))?.mime;
  if (!detected || !ALLOWED_TYPES[kind].includes(detected)) {
    throw new AppError(415, 'unsupported_file_type',
      `A ${kind} must be one of: ${ALLOWED_TYPES[kind].join(', ')}. This file's content is ${detected ?? 'not a recognised type'}.`,
      [{ pointer: '/file', message: 'type not allowed' }]);
  }
  return detected;
}

export const isImage = (mime: string): boolean => mime.startsWith('image/');

/** How a cleaned image is re-encoded. HEIC/HEIF become JPEG: the HEVC encoder is not free to ship. */
const REENCODE: Record<string, { mime: string; apply: (s: sharp.Sharp) => sharp.Sharp }> = {
  'image/jpeg': { mime: 'image/jpeg', apply: (s) => s.jpeg({ quality: 92 }) },
  'image/heic': { mime: 'image/jpeg', apply: (s) => s.jpeg({ quality: 92 }) },
  'image/heif': { mime: 'image/jpeg', apply: (s) => s.jpeg({ quality: 92 }) },
  'image/png': { mime: 'image/png', apply: (s) => s.png() },
  'image/webp': { mime: 'image/webp', apply: (s) => s.webp({ quality: 92 }) },
  'image/avif': { mime: 'image/avif', apply: (s) => s.avif({ quality: 80 }) },
  'image/tiff': { mime: 'image/tiff', apply: (s) => s.tiff({ compression: 'lzw' }) },
};

/**
 * Re-encodes an image without any of its metadata (EXIF with GPS position and device, XMP, IPTC,
 * comments), after turning the pixels upright by the EXIF orientation so it still displays the
 * right way. Decoding needs the whole image in memory anyway, so the result is a buffer.
 */
export async function cleanImage(src: string, mime: string): Promise<{ data: Buffer; mime: string }> {
  const target = REENCODE[mime];
  if (!target) throw new Error(`no re-encoding for ${mime}`);
  try {
    return { data: await target.apply(sharp(src).rotate()).toBuffer(), mime: target.mime };
  } catch {
    throw undecodable(mime);
  }
}

function undecodable(mime: string): AppError {
  // Prebuilt sharp decodes AV1-coded HEIF (AVIF) but not the HEVC-coded HEIC of phone cameras.
  if (mime === 'image/heic' || mime === 'image/heif') {
    return new AppError(415, 'unsupported_file_type',
      'This HEIC photo cannot be decoded here, so its metadata (location) cannot be removed. Send it as JPEG (on iPhone: Settings > Camera > Formats > Most Compatible).',
      [{ pointer: '/file', message: 'HEIC not decodable' }]);
  }
  return new AppError(422, 'invalid_file', 'The image is damaged or truncated and could not be read.',
    [{ pointer: '/file', message: 'damaged or truncated image' }]);
}
