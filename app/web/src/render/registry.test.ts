import type { Output } from '../api/types';
import { registerBuiltinRenderers } from './builtin-renderers';
import { DEFAULT_RANK, mimeMatches, RendererRegistry, type DomRenderer } from './registry';

const dom = (id: string, mimeTypes: string[], rank = DEFAULT_RANK, canRender?: (o: Output) => boolean): DomRenderer => ({
  kind: 'dom', id, mimeTypes, rank, render: () => undefined, ...(canRender ? { canRender } : {}),
});
const out = (mime_type: string, data: Output['data'] = 'x'): Output => ({ mime_type, data });

describe('RendererRegistry: the renderer for an output', () => {
  it('picks the lowest rank among the renderers of the type', () => {
    const registry = new RendererRegistry();
    registry.register(dom('plain', ['application/x-a'], 100));
    registry.register(dom('fancy', ['application/x-a'], 50));
    registry.register(dom('worse', ['application/x-a'], 200));
    expect(registry.resolve(out('application/x-a'))).toEqual({ renderer: expect.objectContaining({ id: 'fancy' }), fallback: false });
    expect(registry.candidates(out('application/x-a')).map((r) => r.id)).toEqual(['fancy', 'plain', 'worse']);
  });

  it('on equal ranks, the renderer registered last wins (a plugin replaces a built-in)', () => {
    const registry = new RendererRegistry();
    registerBuiltinRenderers(registry);
    registry.register(dom('plugin-html', ['text/html']));
    expect(registry.resolve(out('text/html'))?.renderer.id).toBe('plugin-html');
  });

  it('passes an output a renderer declines to the next-ranked one', () => {
    const registry = new RendererRegistry();
    registry.register(dom('strict', ['application/x-a'], 10, (o) => typeof o.data === 'object'));
    registry.register(dom('lenient', ['application/x-a'], 90));
    expect(registry.resolve(out('application/x-a', 'text'))?.renderer.id).toBe('lenient');
    expect(registry.resolve(out('application/x-a', { k: 1 }))?.renderer.id).toBe('strict');
  });

  it('treats a canRender that throws as declining', () => {
    const registry = new RendererRegistry();
    registry.register(dom('broken', ['application/x-a'], 10, () => { throw new Error('bug'); }));
    registry.register(dom('fine', ['application/x-a'], 90));
    expect(registry.resolve(out('application/x-a'))?.renderer.id).toBe('fine');
  });

  it('falls back to the text/plain renderer for an unknown type, saying so', () => {
    const registry = new RendererRegistry();
    registerBuiltinRenderers(registry);
    expect(registry.resolve(out('application/vnd.unknown+json', { a: 1 }))).toEqual({ renderer: expect.objectContaining({ id: 'builtin:text' }), fallback: true });
  });

  it('has nothing to offer when no renderer, not even text/plain, is there', () => {
    expect(new RendererRegistry().resolve(out('text/plain'))).toBeNull();
  });

  it('matches type families and ignores case', () => {
    expect(mimeMatches('image/*', 'image/webp')).toBe(true);
    expect(mimeMatches('image/*', 'imagex/webp')).toBe(false);
    expect(mimeMatches('Text/HTML', 'text/html')).toBe(true);
    const registry = new RendererRegistry();
    registry.register(dom('images', ['image/*'], 100));
    registry.register(dom('png', ['image/png'], 50));
    expect(registry.resolve(out('image/webp'))?.renderer.id).toBe('images');
    expect(registry.resolve(out('image/png'))?.renderer.id).toBe('png');
  });

  it('replaces a renderer registered again under its id, removes it on request, and tells listeners', () => {
    const registry = new RendererRegistry();
    const heard: number[] = [];
    registry.subscribe(() => heard.push(registry.getVersion()));
    registry.register(dom('a', ['application/x-a'], 100));
    const remove = registry.register(dom('a', ['application/x-a'], 10));
    expect(registry.candidates(out('application/x-a'))).toHaveLength(1);
    remove();
    expect(registry.resolve(out('application/x-a'))).toBeNull();
    expect(heard).toEqual([1, 2, 3]);
  });

  it('registers every built-in type', () => {
    const registry = new RendererRegistry();
    registerBuiltinRenderers(registry);
    expect(registry.mimeTypes().sort()).toEqual([
      'application/json', 'application/vnd.notebook.table+json', 'application/vnd.plotly.v1+json', 'application/vnd.rnb.widget+json', 'application/vnd.vegalite.v4+json',
      'application/vnd.vegalite.v5+json', 'image/jpeg', 'image/png', 'image/svg+xml', 'text/html', 'text/latex', 'text/markdown', 'text/plain',
    ]);
  });
});
