/**
 * The chart libraries' browser builds as text, to be inlined into a chart's sandboxed frame (which may fetch
 * nothing). Each is imported by ChartOutput with a dynamic import, so it lands in a chunk of its own that the page
 * loads only when such an output appears. The `@rnb-umd/*` names are aliases of the packages' UMD files
 * (vite.config.mts): their `exports` maps do not list them.
 */
import vega from '@rnb-umd/vega?raw';
import vegaLite from '@rnb-umd/vega-lite?raw';
import vegaEmbed from '@rnb-umd/vega-embed?raw';

/** vega, vega-lite and vega-embed, in load order (each UMD build reads the previous ones from the global scope). */
export const VEGA_LITE_LIBRARIES: readonly string[] = [vega, vegaLite, vegaEmbed];
