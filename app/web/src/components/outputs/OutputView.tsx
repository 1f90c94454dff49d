import { Component, memo, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { Output } from '../../api/types';
import { outputRenderers } from '../../render/output-renderers';
import { asText, type DomRenderer, type RendererRegistry } from '../../render/registry';

/**
 * Shows one output with the best-ranked renderer for its MIME type (see ../../render). An
 * unknown type is shown as text, naming the type. Redrawn when a plugin adds a renderer.
 */
export const OutputView = memo(function OutputView({ output, registry = outputRenderers }: { output: Output; registry?: RendererRegistry }) {
  useSyncExternalStore(registry.subscribe, registry.getVersion);
  const choice = registry.resolve(output);
  if (!choice) return <pre className="output output--text">{asText(output.data)}</pre>;
  const { renderer, fallback } = choice;
  const shown = fallback ? { mime_type: 'text/plain', data: fallbackText(output) } : output;
  const body = renderer.kind === 'component'
    ? <renderer.component output={shown} />
    : <DomOutput key={renderer.id} renderer={renderer} output={shown} />;
  const guarded = <RendererBoundary key={renderer.id} output={output} name={renderer.id}>{body}</RendererBoundary>;
  if (!fallback) return guarded;
  return (
    <div className="output output--other">
      <p className="output__note">
        Output of type <code>{output.mime_type}</code> shown as text (this client has no renderer for it).
      </p>
      {guarded}
    </div>
  );
});

/**
 * What an output no renderer takes shows: the text form the runtime sent beside it (`metadata["text/plain"]`, IPython's
 * fallback, e.g. `alt.Chart(...)`), else its data as text.
 */
export function fallbackText(output: Output): string {
  const text = output.metadata?.['text/plain'];
  return typeof text === 'string' ? text : asText(output.data);
}

/** A plugin's renderer draws into an element of its own; its cleanup runs when the output goes. */
function DomOutput({ renderer, output }: { renderer: DomRenderer; output: Output }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current!;
    const cleanup = renderer.render(output, element);
    return () => {
      if (typeof cleanup === 'function') cleanup();
      element.replaceChildren();
    };
  }, [renderer, output]);
  return <div ref={host} className="output output--plugin" data-renderer={renderer.id} />;
}

/** A renderer that throws (a plugin's bug) shows its error and the output as text, not a blank page. */
class RendererBoundary extends Component<{ output: Output; name: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="output output--other" role="note">
        <p className="output__note">The renderer {this.props.name} failed: {this.state.error.message}</p>
        <pre className="output output--text">{asText(this.props.output.data)}</pre>
      </div>
    );
  }
}
