import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsolePage } from '../../gateway/src/http/console-pages.js';
import { AppContext, Link, type AppState } from './app.js';
import { codeName, WORDS, type Lang } from './i18n.js';
import { Auditor } from './pages/auditor.js';
import { Checkpoints } from './pages/checkpoints.js';
import { Clerk } from './pages/clerk.js';
import { Home } from './pages/home.js';
import { KeyLogin } from './pages/key-login.js';
import { Login } from './pages/login.js';
import { Officer } from './pages/officer.js';
import { Police } from './pages/police.js';
import { Prosecutor } from './pages/prosecutor.js';
import { Timeline } from './pages/timeline.js';
import { loadSession, saveSession, type Session } from './session.js';
import './style.css';

const LANG_KEY = 'correction-ledger/lang';
/** Performance mark set when the first page is rendered and usable. */
const USABLE_MARK = 'console-usable';
/** Pages that need no session. */
const OPEN_PAGES = new Set(['/login', '/key']);

/** Each page of the console (the gateway answers these paths with index.html: console-pages.ts). */
const PAGES: Readonly<Record<ConsolePage, () => preact.JSX.Element | null>> = {
  '/': Home,
  '/login': Login,
  '/key': KeyLogin,
  '/clerk': Clerk,
  '/officer': Officer,
  '/police': Police,
  '/prosecutor': Prosecutor,
  '/auditor': Auditor,
  '/checkpoints': Checkpoints,
  '/timeline': Timeline,
};

function Page(props: { readonly path: string }) {
  const Shown = (PAGES as Readonly<Record<string, (() => preact.JSX.Element | null) | undefined>>)[props.path] ?? Home;
  return <Shown />;
}

/** The dev login exists only where the gateway has its dev token route (OPTIONS answers 204 there, 404 elsewhere). */
async function gatewayInDevMode(): Promise<boolean> {
  const answer = await fetch('/v1/dev/tokens', { method: 'OPTIONS' });
  return answer.status === 204;
}

function App() {
  const [lang, setLang] = useState<Lang>(localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh');
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [path, setPath] = useState(location.pathname);
  const [devMode, setDevMode] = useState(false);
  const [probed, setProbed] = useState(false);
  useEffect(() => {
    void gatewayInDevMode().then((dev) => {
      setDevMode(dev);
      setProbed(true);
    });
    const onPop = () => {
      setPath(location.pathname);
    };
    addEventListener('popstate', onPop);
    return () => {
      removeEventListener('popstate', onPop);
    };
  }, []);
  useEffect(() => {
    // The first page is usable once it knows whether to offer the dev login: a mark for measuring it.
    if (probed && performance.getEntriesByName(USABLE_MARK).length === 0) performance.mark(USABLE_MARK);
  }, [probed]);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);
  const state = useMemo<AppState>(() => {
    const navigate = (to: string) => {
      history.pushState(null, '', to);
      setPath(to);
      window.scrollTo(0, 0);
    };
    const signIn = (next: Session) => {
      saveSession(next);
      setSession(next);
      navigate('/');
    };
    return { lang, t: WORDS[lang], session, devMode, signIn, navigate };
  }, [lang, session, devMode]);
  const t = state.t;
  const shown = session || OPEN_PAGES.has(path) ? path : '/login';
  useEffect(() => {
    document.title = `${t.title} · ${t.subtitle}`;
  }, [t]);
  return (
    <AppContext.Provider value={state}>
      <a class="skip" href="#main">
        {lang === 'zh' ? '跳到正文' : 'Skip to content'}
      </a>
      <header class="bar">
        <Link href="/" class="brand">
          {t.title} <small>{t.subtitle}</small>
        </Link>
        <nav aria-label={lang === 'zh' ? '主导航' : 'Main'}>
          {session && (
            <span class="who">
              {t.signedInAs}: {codeName(lang, session.agency)} · {codeName(lang, session.role)} · {session.sub}
            </span>
          )}
          <button type="button" class="ghost" lang={lang === 'zh' ? 'en' : 'zh-CN'} title={t.languageLabel} onClick={() => { setLang(lang === 'zh' ? 'en' : 'zh'); }}>
            {t.language}
          </button>
          {session && (
            <button
              type="button"
              class="ghost"
              onClick={() => {
                saveSession(undefined);
                setSession(undefined);
                state.navigate('/login');
              }}
            >
              {t.signOut}
            </button>
          )}
        </nav>
      </header>
      {devMode && (
        <p class="dev-banner" role="note">
          {t.devBanner}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Page path={shown} />
      </main>
    </AppContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
