import { useApp } from './app.js';
import type { Obligation } from './pages/prosecutor.js';

const STATES = ['overdue', 'open', 'late', 'met'] as const;
type Counted = (typeof STATES)[number];
/** Colours with at least 3:1 contrast against white, told apart by the legend's words too. */
const COLOURS: Readonly<Record<Counted, string>> = { overdue: '#a4161a', open: '#0b5cad', late: '#8a5a00', met: '#1b6b2c' };
const WIDTH = 640;
const HEIGHT = 200;
const MONTHS_SHOWN = 12;

/** Obligations by the month they fall due (the last twelve months with any), stacked by state, as an SVG. */
export function ObligationChart({ obligations, labels }: { readonly obligations: readonly Obligation[]; readonly labels: Readonly<Record<Counted, string>> }) {
  const { t } = useApp();
  const months = new Map<string, Record<Counted, number>>();
  for (const o of obligations) {
    if (o.state === 'void') continue;
    const month = o.dueAt.slice(0, 7);
    const row = months.get(month) ?? { overdue: 0, open: 0, late: 0, met: 0 };
    row[o.state] += 1;
    months.set(month, row);
  }
  const shown = [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(-MONTHS_SHOWN);
  const most = Math.max(1, ...shown.map(([, row]) => STATES.reduce((sum, s) => sum + row[s], 0)));
  const slot = WIDTH / Math.max(1, shown.length);
  const barHeight = (n: number) => (n / most) * (HEIGHT - 30);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${String(WIDTH)} ${String(HEIGHT)}`} role="img" aria-labelledby="chart-title chart-desc" data-testid="obligation-chart">
        <title id="chart-title">{t.chartTitle}</title>
        <desc id="chart-desc">{t.chartDesc} {shown.map(([month, row]) => `${month}: ${STATES.map((s) => `${labels[s]} ${String(row[s])}`).join(', ')}`).join('; ')}</desc>
        {shown.map(([month, row], i) => {
          let top = HEIGHT - 20;
          return (
            <g key={month}>
              {STATES.map((s) => {
                const h = barHeight(row[s]);
                top -= h;
                return h > 0 ? <rect key={s} x={i * slot + slot * 0.2} y={top} width={slot * 0.6} height={h} fill={COLOURS[s]} /> : null;
              })}
              <text x={i * slot + slot / 2} y={HEIGHT - 5} text-anchor="middle" font-size="11" fill="#1b1f24">{month}</text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {t.chartTitle}:{' '}
        {STATES.map((s) => (
          <span key={s} class="legend"><span class="swatch" style={{ background: COLOURS[s] }} /> {labels[s]}</span>
        ))}
      </figcaption>
    </figure>
  );
}
