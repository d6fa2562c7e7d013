import { z } from 'zod';
import { EVENT_TYPES, HANDOVER_DATE_FACTS, type DeadlineRule } from 'correction-chaincode/domain';
import { ConfigError } from './config.js';

const eventType = z.enum(EVENT_TYPES as [string, ...string[]]);

/** The shape of DEADLINE_RULES, for an operator's own table. */
const RULES = z.array(
  z.strictObject({
    id: z.string().min(1),
    due: eventType,
    from: z.union([z.strictObject({ event: eventType }), z.strictObject({ fact: z.enum(HANDOVER_DATE_FACTS) })]),
    amount: z.union([z.number().int().min(0), z.strictObject({ fact: z.string().min(1) })]),
    unit: z.enum(['days', 'workingDays', 'hours', 'months']),
    expedited: z.strictObject({ flag: z.string().min(1), amount: z.number().int().min(0) }).optional(),
    basis: z.string(),
    unverified: z.literal(true).optional(),
    untracked: z.literal(true).optional(),
    when: z
      .union([
        z.strictObject({ fact: z.string().min(1), equals: z.json() }),
        z.strictObject({ fact: z.string().min(1), oneOf: z.array(z.json()).min(1) }),
      ])
      .optional(),
  }),
);

/** Validates an operator's deadline table, naming every bad rule at once. */
export function parseDeadlineRules(value: unknown): DeadlineRule[] {
  const parsed = RULES.safeParse(value);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `DEADLINE_RULES ${i.path.join('.')}: ${i.message}`));
  return parsed.data as DeadlineRule[];
}
