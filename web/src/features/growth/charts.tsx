/**
 * The growth charts, hand-made: the funnel (each step's count, centred like a funnel, with the
 * share of the step before it) and revenue against spend per row. They are drawn with HTML boxes
 * rather than SVG so the text keeps its size on a phone; every value is written as text, and the
 * same numbers are in the tables beside them.
 */
import { useT } from '../../i18n/i18n.js';

export interface FunnelStep { label: string; value: number; text: string }

const width = (value: number, max: number) => (max > 0 && value > 0 ? Math.max(2, (value / max) * 100) : 0);

export function FunnelChart({ title, steps, percent, testId }: { title: string; steps: FunnelStep[]; percent: (r: number) => string; testId?: string }) {
  const t = useT();
  const max = Math.max(0, ...steps.map((s) => s.value));
  return (
    <figure className="chart funnel-chart" data-testid={testId}>
      <figcaption className="chart-title">{title}</figcaption>
      <ol className="funnel-bars">
        {steps.map((s, i) => {
          const prev = steps[i - 1];
          const rate = prev && prev.value > 0 ? s.value / prev.value : null;
          return (
            <li key={s.label} data-testid="funnel-step" data-value={s.value}>
              <span className="fb-label">{s.label}</span>
              <span className="fb-track">
                <span className={`fb-bar step-${i}`} style={{ width: `${width(s.value, max)}%` }} aria-hidden="true" />
                <span className="fb-value">{s.text}</span>
              </span>
              <span className="fb-rate small muted">{rate !== null ? t('growth.funnel.of_prev', { rate: percent(rate) }) : ''}</span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}

export interface PairDatum { label: string; a: number; aText: string; b: number; bText: string }

/** Two bars per row (revenue over spend), on one scale. */
export function PairedBars({ title, data, aLabel, bLabel, testId }: { title: string; data: PairDatum[]; aLabel: string; bLabel: string; testId?: string }) {
  const t = useT();
  const max = Math.max(0, ...data.flatMap((d) => [d.a, d.b]));
  return (
    <figure className="chart pair-chart" data-testid={testId}>
      <figcaption className="chart-title">{title}</figcaption>
      <p className="chart-legend small" aria-hidden="true">
        <span className="swatch revenue" /> <span>{aLabel}</span>
        <span className="swatch spend" /> <span>{bLabel}</span>
      </p>
      {data.length === 0 ? <p className="muted">{t('dash.no_data')}</p> : (
        <ul className="pair-bars">
          {data.map((d, i) => (
            <li key={i} data-testid="pair-bar">
              <span className="pb-label" title={d.label}>{d.label}</span>
              <span className="pb-row">
                <span className="pb-track" aria-hidden="true"><span className="pb-bar revenue" style={{ width: `${width(d.a, max)}%` }} /></span>
                <span className="pb-value"><span className="visually-hidden">{aLabel}: </span>{d.aText}</span>
              </span>
              <span className="pb-row">
                <span className="pb-track" aria-hidden="true"><span className="pb-bar spend" style={{ width: `${width(d.b, max)}%` }} /></span>
                <span className="pb-value"><span className="visually-hidden">{bLabel}: </span>{d.bText}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
