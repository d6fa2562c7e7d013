import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang, Words } from './i18n.js';
import type { Session } from './session.js';

/** What every page reads: the language, the session and navigation. */
export interface AppState {
  readonly lang: Lang;
  readonly t: Words;
  readonly session: Session | undefined;
  readonly devMode: boolean;
  readonly signIn: (session: Session) => void;
  readonly navigate: (path: string) => void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('outside the app');
  return state;
}

/** A link the app follows itself, without reloading the page. */
export function Link(props: { readonly href: string; readonly children: preact.ComponentChildren; readonly class?: string }) {
  const { navigate } = useApp();
  return (
    <a
      href={props.href}
      class={props.class}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
