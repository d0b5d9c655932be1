import { type ComponentType, lazy } from 'react';

/**
 * A page whose code loads on first use, like React.lazy, with `preload` to fetch it early (a
 * route's preload). Once fetched, it renders at once: React.lazy would still suspend the first
 * time it renders, and React holds a Suspense boundary's content back for up to 300 ms after
 * showing its fallback, which the editor's first frame waited for.
 */
export function lazyPage<Props extends object>(
  load: () => Promise<ComponentType<Props>>,
): { Page: ComponentType<Props>; preload(): Promise<ComponentType<Props>> } {
  let loaded: ComponentType<Props> | null = null;
  let loading: Promise<ComponentType<Props>> | null = null;
  const preload = () => {
    loading ??= load().then((component) => {
      loaded = component;
      return component;
    });
    return loading;
  };
  const Suspending = lazy(() => preload().then((component) => ({ default: component })));
  function Page(props: Props) {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Suspending {...props} />;
  }
  return { Page, preload };
}
