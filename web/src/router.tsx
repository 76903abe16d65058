import { type MouseEvent, type ReactNode, useEffect, useSyncExternalStore } from 'react';

/** A few pages need no router library: the path is the state, history is the store. */
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string): void {
  if (to === location.pathname + location.hash) return;
  history.pushState(null, '', to);
  notify();
}

export function usePath(): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => location.pathname,
  );
}

export function Link(props: { to: string; children: ReactNode; className?: string; current?: boolean }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={props.to}
      onClick={onClick}
      className={props.className}
      aria-current={props.current ? 'page' : undefined}
    >
      {props.children}
    </a>
  );
}

/** Sets the document title and moves focus to the page heading, so screen readers hear the change. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Latchkey`;
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [title]);
}
