import { lazy, Suspense, type ComponentProps } from 'react';

// Searching is occasional: its dialog stays out of the initial bundle.
const SearchDialog = lazy(() =>
  import('./SearchDialog').then((m) => ({ default: m.SearchDialog })),
);

export function LazySearchDialog(props: ComponentProps<typeof SearchDialog>) {
  return (
    <Suspense fallback={null}>
      <SearchDialog {...props} />
    </Suspense>
  );
}
