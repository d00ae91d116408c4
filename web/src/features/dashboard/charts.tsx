/**
 * Two small SVG charts, no library: horizontal bars and a line. Each is a figure with a caption;
 * the drawing carries an accessible summary, every value is also written as text beside its bar
 * or point, and the numbers are available as a table under "Show the numbers".
 */
import { useId } from 'react';
import { useT } from '../../i18n/i18n.js';

export interface Datum { label: string; value: number; /** The value as written (money, percent...). */ text: string }

/** Drawing width in SVG units: close to the card's width in pixels, so text keeps its size. */
const W = 480;

export function BarChart({ title, data, testId, tone = 'primary' }: { title: string; data: Datum[]; testId?: string; tone?: 'primary' | 'warning' | 'danger' }) {
  const t = useT();
  const id = useId();
  const row = 30;
  const labelW = 150;
  const valueW = 110;
  const barMax = W - labelW - valueW;
  const max = Math.max(0, ...data.map((d) => d.value));
  const h = Math.max(row, data.length * row) + 8;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption id={id} className="chart-title">{title}</figcaption>
      {data.length === 0 ? <p className="muted">{t('dash.no_data')}</p> : (
        <>
          <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-labelledby={id} aria-describedby={`${id}-sum`} className={`bar-chart ${tone}`}>
            <desc id={`${id}-sum`}>{data.map((d) => `${d.label}: ${d.text}`).join('; ')}</desc>
            {data.map((d, i) => {
              const w = max > 0 ? Math.max(d.value > 0 ? 2 : 0, (d.value / max) * barMax) : 0;
              const y = 4 + i * row;
              return (
                <g key={i} data-testid="chart-bar">
                  <text x={labelW - 8} y={y + row / 2} textAnchor="end" dominantBaseline="middle" className="chart-label"><title>{d.label}</title>{clip(d.label, 20)}</text>
                  <rect x={labelW} y={y + 5} width={w} height={row - 10} rx={3} className="bar" />
                  <text x={labelW + w + 6} y={y + row / 2} dominantBaseline="middle" className="chart-value">{d.text}</text>
                </g>
              );
            })}
          </svg>
          <NumbersTable data={data} />
        </>
      )}
    </figure>
  );
}

export function LineChart({ title, data, testId }: { title: string; data: Datum[]; testId?: string }) {
  const t = useT();
  const id = useId();
  const h = 200;
  const pad = { l: 16, r: 16, t: 26, b: 34 };
  // Labels at the ends stay inside the drawing.
  const anchor = (i: number) => (data.length > 1 && i === 0 ? 'start' : data.length > 1 && i === data.length - 1 ? 'end' : 'middle');
  const max = Math.max(0, ...data.map((d) => d.value));
  const min = Math.min(0, ...data.map((d) => d.value));
  const span = max - min || 1;
  const x = (i: number) => pad.l + (data.length <= 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (data.length - 1));
  const y = (v: number) => pad.t + (1 - (v - min) / span) * (h - pad.t - pad.b);
  // Label every point when there is room, else every n-th (and always the last).
  const every = Math.max(1, Math.ceil(data.length / 5));
  const last = data.length - 1;
  const labelled = (i: number) => i === last || (i % every === 0 && last - i >= every);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption id={id} className="chart-title">{title}</figcaption>
      {data.length === 0 ? <p className="muted">{t('dash.no_data')}</p> : (
        <>
          <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-labelledby={id} aria-describedby={`${id}-sum`} className="line-chart">
            <desc id={`${id}-sum`}>{data.map((d) => `${d.label}: ${d.text}`).join('; ')}</desc>
            <line x1={pad.l} x2={W - pad.r} y1={y(min)} y2={y(min)} className="axis" />
            <polyline points={data.map((d, i) => `${x(i)},${y(d.value)}`).join(' ')} className="line" />
            {data.map((d, i) => (
              <g key={i} data-testid="chart-point">
                <circle cx={x(i)} cy={y(d.value)} r={3.5} className="dot" />
                {labelled(i) && <text x={x(i)} y={y(d.value) - 8} textAnchor={anchor(i)} className="chart-value">{d.text}</text>}
                {labelled(i) && <text x={x(i)} y={h - 12} textAnchor={anchor(i)} className="chart-label">{d.label}</text>}
              </g>
            ))}
          </svg>
          <NumbersTable data={data} />
        </>
      )}
    </figure>
  );
}

function NumbersTable({ data }: { data: Datum[] }) {
  const t = useT();
  return (
    <details className="chart-numbers">
      <summary>{t('dash.show_numbers')}</summary>
      <table>
        <tbody>
          {data.map((d, i) => <tr key={i}><th scope="row">{d.label}</th><td className="num">{d.text}</td></tr>)}
        </tbody>
      </table>
    </details>
  );
}

/** Cuts a label to `n` half-width columns (a CJK character takes two), ending with an ellipsis. */
function clip(s: string, n: number): string {
  const width = (ch: string) => ((ch.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1);
  const chars = [...s];
  if (chars.reduce((sum, ch) => sum + width(ch), 0) <= n) return s;
  let cols = 0;
  let out = '';
  for (const ch of chars) {
    if (cols + width(ch) > n - 1) break;
    cols += width(ch);
    out += ch;
  }
  return `${out}…`;
}
