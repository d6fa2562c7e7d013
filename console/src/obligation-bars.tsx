import { useApp } from './app.js';

/** An obligation of one subject, with when it started. */
export interface TimedObligation {
  readonly rule: string;
  readonly event: string;
  readonly startedAt: string;
  readonly dueAt: string;
  readonly metAt: string | null;
  readonly state: string;
}

const ROW = 26;
const LABEL = 200;
const WIDTH = 760;
const COLOURS: Readonly<Record<string, string>> = { overdue: '#a4161a', open: '#0b5cad', late: '#8a5a00', met: '#1b6b2c', void: '#6b7280' };

/** Each obligation as a bar from its start to its due date on one time axis; a met one is marked where it was met. */
export function ObligationBars({ obligations, name }: { readonly obligations: readonly TimedObligation[]; readonly name: (code: string) => string }) {
  const { t } = useApp();
  const times = obligations.flatMap((o) => [o.startedAt, o.dueAt, ...(o.metAt ? [o.metAt] : [])]).map((s) => Date.parse(s)).filter(Number.isFinite);
  if (times.length === 0) return <p>—</p>;
  const from = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - from);
  const x = (iso: string) => LABEL + ((Date.parse(iso) - from) / span) * (WIDTH - LABEL - 10);
  const words: Readonly<Record<string, string>> = { open: t.openCount, overdue: t.overdueCount, met: t.metCount, late: t.lateCount };
  return (
    <svg viewBox={`0 0 ${String(WIDTH)} ${String(obligations.length * ROW + 10)}`} role="img" aria-labelledby="bars-title" class="bars" data-testid="obligation-bars">
      <title id="bars-title">{t.obligationsBars}: {obligations.map((o) => `${name(o.event)} ${o.dueAt.slice(0, 10)} ${words[o.state] ?? o.state}`).join('; ')}</title>
      {obligations.map((o, i) => {
        const y = i * ROW + 5;
        return (
          <g key={`${o.rule}-${o.dueAt}`}>
            <text x={0} y={y + 15} font-size="12" fill="#1b1f24">{name(o.event)} · {o.dueAt.slice(0, 10)}</text>
            <rect x={x(o.startedAt)} y={y + 4} width={Math.max(2, x(o.dueAt) - x(o.startedAt))} height={14} fill={COLOURS[o.state] ?? '#6b7280'} rx={3} />
            {o.metAt && <circle cx={x(o.metAt)} cy={y + 11} r={5} fill="#fff" stroke="#1b1f24" stroke-width={2} />}
          </g>
        );
      })}
    </svg>
  );
}
