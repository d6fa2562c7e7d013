import { randomBytes } from 'node:crypto';
import { createSealer, type Sealer } from '../../gateway/src/store/sealer.js';

/** A sealer under a fresh random document key: one per ledger or store a test opens (and reopens). */
export const testSealer = (): Sealer => createSealer(randomBytes(32));
