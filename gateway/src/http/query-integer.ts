import { z } from 'zod';

/**
 * Whole numbers in a query string, as plain decimal digits. `Number()` (and so `z.coerce`) would
 * also take "", " 7", "0x10" and "1e3", and an empty `?end=` would read as 0; a pattern refuses
 * them, and states in the published schema exactly what the server takes, bounds included.
 */
const digits = (pattern: RegExp, bounds: string) => z.string().regex(pattern, `must be ${bounds}, in decimal digits`).transform(Number);

/** 0 to 999,999,999,999,999: a leaf index, far beyond any ledger and still exact as a JSON number. */
export const queryIndex = () => digits(/^(0|[1-9][0-9]{0,14})$/, 'a whole number from 0 to 999999999999999');

/** 1 to 999,999,999,999,999: a tree size. */
export const querySize = () => digits(/^[1-9][0-9]{0,14}$/, 'a whole number from 1 to 999999999999999');

/** 1 to 1,000: a page's length. */
export const queryPageLength = () => digits(/^([1-9][0-9]{0,2}|1000)$/, 'a whole number from 1 to 1000');
