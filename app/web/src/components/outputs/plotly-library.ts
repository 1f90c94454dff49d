/** plotly.js-dist-min as text, for a chart's sandboxed frame: a chunk of its own (about 4.8 MB), loaded on first use. */
import plotly from '@rnb-umd/plotly?raw';

export const PLOTLY_LIBRARIES: readonly string[] = [plotly];
