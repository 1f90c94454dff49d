import type { CellState } from '../state/notebook-model';

// Measured on a drawn cell (the page's fonts and paddings): its frame 1 px, toolbar 35 px, editor 12 px + 19 px a line,
// the names row 27 px, an output box 18 px + 19 px a line of text.
const FRAME = 1;
const TOOLBAR = 35;
const EDITOR_PADDING = 12;
const LINE = 19;
const NAMES = 27;
const OUTPUT_PADDING = 18;
/** A table, a chart or an image: unknown until drawn. */
const RICH_OUTPUT = 240;
/** Long text shows in a bounded box. */
const MAX_TEXT_LINES = 30;

function textLines(text: string): number {
  return text === '' ? 0 : Math.min(MAX_TEXT_LINES, text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
}

/**
 * About how tall a cell is when drawn, from its code and outputs: the size a cell far off-screen takes before it was
 * ever drawn (then the browser remembers its real one), so that the scrollbar and a jump to a far cell land near
 * where they will end up.
 */
export function estimatedCellHeight(cell: Pick<CellState, 'code' | 'reads' | 'writes' | 'stdout' | 'outputs' | 'error'>): number {
  let height = FRAME + TOOLBAR + EDITOR_PADDING + LINE * Math.max(1, cell.code.split('\n').length);
  if (cell.reads.length > 0 || cell.writes.length > 0) height += NAMES;
  let outputLines = textLines(cell.stdout) + (cell.error ? Math.min(MAX_TEXT_LINES, textLines(cell.error) + 1) : 0);
  let rich = 0;
  for (const output of cell.outputs) {
    if (output.mime_type === 'text/plain' && typeof output.data === 'string') outputLines += textLines(output.data);
    else rich += RICH_OUTPUT;
  }
  if (outputLines > 0 || rich > 0) height += OUTPUT_PADDING + LINE * outputLines + rich;
  return height;
}
