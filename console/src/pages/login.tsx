import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../api.js';
import { Link, useApp } from '../app.js';
import { AGENCIES, DEV_UNITS, ROLES } from '../domain.js';
import { codeName } from '../i18n.js';

/** Sign-in: key login for everyone; in dev mode also dev tokens for any agency, unit and role. */
export function Login() {
  const { t, devMode, signIn } = useApp();
  const [agency, setAgency] = useState<string>('COURT');
  const [role, setRole] = useState<string>('clerk');
  const [unit, setUnit] = useState<string>('*');
  const [sub, setSub] = useState('dev-user');
  const [error, setError] = useState<string | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const body = { agency, role, sub, ...(unit === '*' ? {} : { unit }) };
      const { token, expiresAt } = await call<{ token: string; expiresAt: string }>('/v1/dev/tokens', { body });
      signIn({ token, agency, role, sub, unit, expiresAt, via: 'dev' });
    } catch (caught) {
      setError(caught instanceof ApiProblem ? caught.problem.detail : String(caught));
    }
  };
  return (
    <section class="card narrow">
      <h1>{t.loginTitle}</h1>
      <p>
        <Link href="/key" class="button">
          {t.keyLogin}
        </Link>
      </p>
      {devMode && (
        <form onSubmit={(e) => void submit(e)} aria-labelledby="dev-login">
          <h2 id="dev-login">{t.devLoginTitle}</h2>
          <p class="warning">{t.devBanner}</p>
          <Choices legend={t.agency} name="agency" options={AGENCIES} value={agency} onChange={setAgency} />
          <Choices legend={t.role} name="role" options={ROLES} value={role} onChange={setRole} />
          <label for="dev-unit">{t.unit}</label>
          <select id="dev-unit" value={unit} onChange={(e) => { setUnit(e.currentTarget.value); }}>
            {DEV_UNITS.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
          <label for="dev-sub">{t.user}</label>
          <input id="dev-sub" value={sub} maxLength={64} required onInput={(e) => { setSub(e.currentTarget.value); }} />
          <button type="submit">{t.signIn}</button>
          {error && (
            <p role="alert" class="error">
              {t.loginRefused}: {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

/** One of a few codes, as radio buttons named in the user's language. */
function Choices(props: { readonly legend: string; readonly name: string; readonly options: readonly string[]; readonly value: string; readonly onChange: (value: string) => void }) {
  const { lang } = useApp();
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label class="choice" key={option}>
          <input type="radio" name={props.name} value={option} checked={props.value === option} onChange={() => { props.onChange(option); }} /> {codeName(lang, option)}
        </label>
      ))}
    </fieldset>
  );
}
