import { syntheticResidentId } from '../../gateway/src/demo.js';

/**
 * syntheticResidentId(n) is periodic: region (n mod 6), birth day ((n·7919) mod 14000) and
 * sequence (n mod 900) repeat together every lcm(6, 14000, 900) = 126,000 values of n.
 */
export const DISTINCT_RESIDENT_IDS = 126_000;

const DAY = 86_400_000;
const BASE = Date.UTC(2023, 0, 2);
export const day = (n: number): string => new Date(BASE + n * DAY).toISOString().slice(0, 10);
const PLACES = ['110105', '310104', '440106', '330106', '510107', '420106'] as const;

/** The document of a sentencing handover, about 400 bytes of JSON like the demo's. */
export function handoverDocument(n: number): Record<string, unknown> {
  const start = n % 600;
  return {
    decisionNo: `(2024)刑初${n}号`,
    correctionType: 'PROBATION',
    effectiveDate: day(start),
    termStart: day(start),
    termEnd: day(start + 365 + (n % 365)),
    executionPlace: PLACES[n % PLACES.length],
    judgment: '判决书正文（基准测试数据）',
    prohibitions: ['禁止进入娱乐场所'],
  };
}

export const occurredAt = (n: number, afterDays = 0): string =>
  new Date(BASE + ((n % 600) + afterDays) * DAY + 9 * 3600_000).toISOString().replace('Z', '+00:00');

/** Body of POST /v1/events: a SENTENCE_HANDOVER for the n-th synthetic resident (1 ≤ n ≤ 126,000). */
export function handoverRequestBody(n: number): string {
  return JSON.stringify({
    type: 'SENTENCE_HANDOVER',
    subject: { idNumber: syntheticResidentId(n) },
    occurredAt: occurredAt(n),
    document: handoverDocument(n),
  });
}
