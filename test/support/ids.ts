import { checkDigit } from 'correction-chaincode/domain';

/** A well-formed resident ID (valid birth date and GB 11643 check digit), distinct for each n. */
export function residentId(n: number, region = '110105'): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${region}${birth}${String(Math.floor(n / 20_000) % 1000).padStart(3, '0')}`;
  return first17 + checkDigit(first17);
}
