/** The consortium's agencies and roles, as the gateway's directory and tokens name them. */
export const AGENCIES = ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'] as const;
export const ROLES = ['clerk', 'officer', 'auditor'] as const;

/** Units the dev login offers beside the whole agency: a district and a township office of Beijing. */
export const DEV_UNITS = ['*', '11', '1101', '110105', '110105001'] as const;

/** Claims of a token, read without checking it (the gateway checks; the console only shows who). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json) as Record<string, unknown>;
}
