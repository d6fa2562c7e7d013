/** Who is signed in: the token and what it claims. Kept for the tab only (sessionStorage). */
export interface Session {
  readonly token: string;
  readonly agency: string;
  readonly role: string;
  readonly sub: string;
  readonly unit: string;
  readonly expiresAt: string;
  readonly via: 'dev' | 'key';
}

const KEY = 'correction-ledger/session';

export function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(KEY);
  if (!text) return undefined;
  const session = JSON.parse(text) as Session;
  return Date.parse(session.expiresAt) > Date.now() ? session : undefined;
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
