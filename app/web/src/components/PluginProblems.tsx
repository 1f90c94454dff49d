import { useSyncExternalStore } from 'react';
import { pluginProblems } from '../plugins/browser-modules';
import type { Signal } from '../state/signal';

/** Says which plugin's browser module failed, so a missing editor mode or renderer has a visible reason. */
export function PluginProblems({ problems = pluginProblems }: { problems?: Signal<readonly string[]> }) {
  const list = useSyncExternalStore(problems.subscribe, problems.get);
  if (list.length === 0) return null;
  return (
    <div className="banner banner--warn" role="status" aria-label="Plugin problems">
      <ul className="plugin-problems">
        {list.map((problem) => <li key={problem}>{problem}</li>)}
      </ul>
    </div>
  );
}
