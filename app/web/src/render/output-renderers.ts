import { registerBuiltinRenderers } from './builtin-renderers';
import { RendererRegistry } from './registry';

/** The page's renderer registry: the built-in renderers, then whatever plugin modules add. */
export const outputRenderers = new RendererRegistry();
registerBuiltinRenderers(outputRenderers);
