/**
 * The kernel names cells by id in tracebacks and warnings (`File "<cell 5b2e…>", line 3`). Text people read outside
 * the page (exports, the command line) names them by position instead, `<cell 3>`, as the page does; an id the
 * notebook does not hold is left as it is.
 */
export function nameCellsByPosition(text: string, positionOf: (cellId: string) => number): string {
  if (!text.includes('<cell ')) return text;
  return text.replace(/<cell ([0-9A-Za-z_.:-]+)>/g, (whole, id: string) => {
    const position = positionOf(id);
    return position >= 0 ? `<cell ${position + 1}>` : whole;
  });
}

/** `positionOf` for a list of cells. */
export function positionsOf(cells: readonly { id: string }[]): (cellId: string) => number {
  const positions = new Map(cells.map((cell, index) => [cell.id, index]));
  return (cellId) => positions.get(cellId) ?? -1;
}
