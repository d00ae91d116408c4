import sharp from 'sharp';

/**
 * The signed consent document: an A4-width page (1240 px = 210 mm at 150 dpi) drawn as SVG and
 * rendered to PNG by sharp (librsvg). PNG rather than PDF: the page carries the drawn signature as
 * an image and names in any script (Noto Sans CJK renders zh-TW), and one raster file is what the
 * SHA-256 seals. The page grows in height with the template's text.
 */
export interface ConsentDocumentInput {
  organization: string;
  title: string;
  body: string;
  version: number;
  treatment: { code: string; name: string };
  patient: { code: string; fullName: string };
  signedName: string;
  /** The drawn signature, PNG bytes. */
  signaturePng: Buffer;
  signedAt: Date;
  timezone: string;
  ip: string | null;
  consentId: string;
  templateId: string;
}

const WIDTH = 1240;
const MARGIN = 90;
const TEXT_WIDTH = WIDTH - 2 * MARGIN;
const FONT = "'Noto Sans CJK TC', 'Noto Sans CJK SC', 'DejaVu Sans', sans-serif";

/** Characters XML 1.0 cannot carry (C0 controls except tab/newline, lone surrogates, U+FFFE/F). */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Wide (CJK, Hangul, full-width) characters take a full em; others about 0.56 em in DejaVu Sans. */
function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6)
    || (cp >= 0x20000 && cp <= 0x3fffd);
}

export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += isWide(ch.codePointAt(0)!) ? 1 : 0.56;
  return em * fontSize;
}

/**
 * Wraps text into lines no wider than `maxWidth`: paragraphs at newlines, lines at spaces, and
 * anywhere between wide characters (CJK has no spaces) or inside a word too long for a line.
 */
export function wrapText(text: string, fontSize: number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    // Tokens: a run of non-space narrow characters, a single wide character, or spaces.
    const tokens = paragraph.match(/\s+|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|\S/gu) ?? [];
    let line = '';
    const push = () => { lines.push(line.trimEnd()); line = ''; };
    for (const token of tokens) {
      if (/^\s+$/.test(token)) {
        if (line) line += ' ';
        continue;
      }
      if (textWidth(line + token, fontSize) <= maxWidth) {
        line += token;
        continue;
      }
      if (line.trim()) push();
      // A token longer than a whole line is cut by characters.
      let rest = token;
      while (textWidth(rest, fontSize) > maxWidth) {
        let cut = '';
        for (const ch of rest) {
          if (textWidth(cut + ch, fontSize) > maxWidth) break;
          cut += ch;
        }
        lines.push(cut);
        rest = rest.slice(cut.length);
      }
      line = rest;
    }
    push();
  }
  return lines;
}

/** "2026-11-26 14:03:09 GMT+8" in the given IANA time zone. */
export function formatInZone(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

interface Line { text: string; size: number; weight?: 'bold'; color?: string; gap?: number }

/** The document as SVG text (exported for tests). */
export function consentSvg(input: ConsentDocumentInput, signature: { width: number; height: number }): string {
  const lines: Line[] = [];
  const add = (text: string, size: number, opts: Omit<Line, 'text' | 'size'> = {}) => {
    wrapText(text, size, TEXT_WIDTH).forEach((t, i) => lines.push({ text: t, size, ...opts, gap: i === 0 ? opts.gap : 0 }));
  };
  add(input.organization, 22, { color: '#555555' });
  add(input.title, 34, { weight: 'bold', gap: 14 });
  add(`Consent version ${input.version} · ${input.treatment.name} (${input.treatment.code})`, 20, { color: '#555555', gap: 6 });
  add(`Patient: ${input.patient.fullName} · ${input.patient.code}`, 22, { gap: 22 });
  add(input.body, 22, { gap: 26 });

  let y = 40;
  const texts: string[] = [];
  for (const l of lines) {
    y += (l.gap ?? 0) + Math.round(l.size * 1.45);
    texts.push(`<text x="${MARGIN}" y="${y}" font-size="${l.size}"${l.weight ? ` font-weight="${l.weight}"` : ''} fill="${l.color ?? '#111111'}">${escapeXml(l.text)}</text>`);
  }
  y += 50;
  texts.push(`<line x1="${MARGIN}" y1="${y}" x2="${WIDTH - MARGIN}" y2="${y}" stroke="#999999" stroke-width="1"/>`);

  // The signature keeps its aspect ratio inside a 600 x 220 box.
  const scale = Math.min(600 / signature.width, 220 / signature.height, 1.5);
  const sigW = Math.max(1, Math.round(signature.width * scale));
  const sigH = Math.max(1, Math.round(signature.height * scale));
  y += 30;
  const sigTop = y;
  texts.push(`<rect x="${MARGIN}" y="${sigTop}" width="${sigW + 20}" height="${sigH + 20}" fill="none" stroke="#dddddd"/>`);
  texts.push(`<image x="${MARGIN + 10}" y="${sigTop + 10}" width="${sigW}" height="${sigH}" href="data:image/png;base64,${input.signaturePng.toString('base64')}"/>`);
  y = sigTop + sigH + 20;

  const footer: Line[] = [];
  const foot = (text: string, size = 20, opts: Omit<Line, 'text' | 'size'> = {}) =>
    wrapText(text, size, TEXT_WIDTH).forEach((t) => footer.push({ text: t, size, ...opts }));
  foot(`Signed by: ${input.signedName}`, 24, { weight: 'bold' });
  foot(`Signed at: ${formatInZone(input.signedAt, input.timezone)} (${input.timezone})`);
  foot(`Signed at (UTC): ${input.signedAt.toISOString()}`);
  foot(`IP address: ${input.ip ?? 'unknown'}`);
  foot(`Consent ${input.consentId} · template ${input.templateId}`, 16, { color: '#777777' });
  y += 20;
  for (const l of footer) {
    y += Math.round(l.size * 1.5);
    texts.push(`<text x="${MARGIN}" y="${y}" font-size="${l.size}"${l.weight ? ` font-weight="${l.weight}"` : ''} fill="${l.color ?? '#111111'}">${escapeXml(l.text)}</text>`);
  }
  const height = y + 80;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}">`
    + `<rect width="100%" height="100%" fill="#ffffff"/>${texts.join('')}</svg>`;
}

/** Renders the consent document to PNG bytes. */
export async function renderConsentDocument(input: ConsentDocumentInput): Promise<Buffer> {
  const meta = await sharp(input.signaturePng).metadata();
  const svg = consentSvg(input, { width: meta.width ?? 1, height: meta.height ?? 1 });
  return sharp(Buffer.from(svg, 'utf8'), { limitInputPixels: 1240 * 40_000 }).png({ compressionLevel: 9 }).toBuffer();
}
