import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths that could carry personal data. The gateway never logs bodies or URLs with ID numbers;
 * redaction is the second line of defence should a field ever reach a log call.
 */
export const REDACTED_PATHS = [
  'idNumber',
  '*.idNumber',
  'subject.idNumber',
  '*.subject.idNumber',
  'document',
  '*.document',
  'body',
  '*.body',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'correction-ledger' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
