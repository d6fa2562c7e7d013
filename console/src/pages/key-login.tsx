import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, call } from '../api.js';
import { useApp } from '../app.js';
import { download } from '../download.js';
import { AGENCIES, ROLES } from '../domain.js';
import { codeName } from '../i18n.js';
import { deleteKey, generateKey, importKey, loadKey, signToken, type GatewayClaims, type UserKey } from '../keystore.js';

/**
 * Key login (秘钥登录): the user's ES256 key lives in this browser, not extractable; the console
 * signs a short-lived token with it and the gateway's directory decides whose key it is.
 */
export function KeyLogin() {
  const { t, lang, signIn } = useApp();
  const [key, setKey] = useState<UserKey | undefined>();
  const [loaded, setLoaded] = useState(false);
  const [agency, setAgency] = useState<string>('COURT');
  const [role, setRole] = useState<string>('clerk');
  const [sub, setSub] = useState('');
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    void loadKey().then((stored) => {
      setKey(stored);
      setLoaded(true);
    });
  }, []);
  const guard = (work: () => Promise<void>) => () => {
    setError(undefined);
    work().catch((caught: unknown) => {
      setError(caught instanceof ApiProblem ? caught.problem.detail : caught instanceof Error ? caught.message : String(caught));
    });
  };
  const submit = guard(async () => {
    if (!key) return;
    // The gateway says which issuer and audience its tokens must carry (TOKEN_ISSUER, TOKEN_AUDIENCE).
    const { token, expiresAt } = await signToken(key, { agency, role, sub }, await call<GatewayClaims>('/v1/token-claims'));
    // The directory decides: a key it does not know, or claims beyond its entry, are refused here.
    await call('/v1/catalog', { token });
    signIn({ token, agency, role, sub, unit: '', expiresAt, via: 'key' });
  });
  const publicText = key ? JSON.stringify(key.publicJwk, null, 2) : '';
  return (
    <section class="card narrow">
      <h1>{t.keyLogin}</h1>
      <p>{t.keyLoginIntro}</p>
      {loaded && !key && (
        <div class="stack">
          <p>{t.noKey}</p>
          <button type="button" onClick={guard(async () => { setKey(await generateKey()); })}>
            {t.generateKey}
          </button>
          <label for="import-key">{t.importKey}</label>
          <input
            id="import-key"
            type="file"
            accept=".jwk,.json,application/json"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) guard(async () => { setKey(await importKey(await file.text())); })();
            }}
          />
        </div>
      )}
      {key && (
        <div class="stack">
          <p>
            {t.keyId}: <code data-testid="kid">{key.kid}</code>
          </p>
          <label for="public-jwk">{t.exportPublic}</label>
          <textarea id="public-jwk" readOnly rows={7} value={publicText} />
          <button type="button" class="ghost" onClick={() => { download(`${key.kid}.public.jwk`, publicText, 'application/jwk+json'); }}>
            {t.exportPublic}
          </button>
          <p>
            {t.registerHint} <code>correction-ledger directory add --jwk {key.kid}.public.jwk --agency {agency} --unit '*' --role {role}</code>
          </p>
          <form onSubmit={(e) => { e.preventDefault(); submit(); }} class="stack">
            <label for="key-agency">{t.agency}</label>
            <select id="key-agency" value={agency} onChange={(e) => { setAgency(e.currentTarget.value); }}>
              {AGENCIES.map((a) => <option key={a} value={a}>{codeName(lang, a)}</option>)}
            </select>
            <label for="key-role">{t.role}</label>
            <select id="key-role" value={role} onChange={(e) => { setRole(e.currentTarget.value); }}>
              {ROLES.map((r) => <option key={r} value={r}>{codeName(lang, r)}</option>)}
            </select>
            <label for="key-sub">{t.user}</label>
            <input id="key-sub" value={sub} required maxLength={64} onInput={(e) => { setSub(e.currentTarget.value); }} />
            <button type="submit">{t.signIn}</button>
          </form>
          <button type="button" class="ghost danger" onClick={guard(async () => { await deleteKey(); setKey(undefined); })}>
            {t.deleteKey}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" class="error">
          {t.loginRefused}: {error}
        </p>
      )}
    </section>
  );
}
