import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, describeErrorWithCode } from '../api';
import { Link, usePageTitle, usePath } from '../router';

const ADMIN_PAGES = [
  { to: '/admin/people', label: 'People' },
  { to: '/admin/orphaned-accounts', label: 'Orphaned accounts' },
  { to: '/admin/rotate-by-hand', label: 'Rotate by hand' },
  { to: '/admin/app-webhooks', label: 'App webhooks' },
];

/** The frame of every admin page: its title, the admin sub-navigation, then the page. */
export function AdminFrame(props: { title: string; children: ReactNode }) {
  usePageTitle(props.title);
  const path = usePath();
  return (
    <main id="main">
      <nav aria-label="Administration" className="row subnav">
        {ADMIN_PAGES.map((page) => (
          <Link key={page.to} to={page.to} current={path === page.to}>
            {page.label}
          </Link>
        ))}
      </nav>
      <h1 tabIndex={-1}>{props.title}</h1>
      {props.children}
    </main>
  );
}

/** An API failure with its stable `error` code beside the sentence, so an admin can quote both. */
export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  const { text, code } = describeErrorWithCode(props.error);
  return (
    <p role="alert">
      {text}
      {code ? (
        <>
          {' '}
          <span className="muted">
            (error <code data-testid="error-code">{code}</code>)
          </span>
        </>
      ) : null}
    </p>
  );
}

/** A cursor-paged list: every page fetched so far, and `more` when the API has another. */
export function usePagedList<T>(
  key: readonly unknown[],
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const more = query.hasNextPage ? (
    <button
      type="button"
      className="secondary"
      disabled={query.isFetchingNextPage}
      onClick={() => void query.fetchNextPage()}
    >
      Show more
    </button>
  ) : null;
  return { query, items: query.data?.pages.flatMap((page) => page.items), more };
}

export type DirectoryUser = Awaited<ReturnType<typeof api.call<'searchUsers'>>>['items'][number];

/** The workspace's people (never guests or login-only users: the directory route leaves them out). */
export function useDirectory(q: string) {
  return usePagedList(['directory', q], async (cursor) =>
    api.call('searchUsers', {
      query: { limit: 100, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) },
    }),
  );
}
