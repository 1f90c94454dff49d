/**
 * Counts renders per cell when switched on, for the 200-cell typing test and for profiling in a
 * browser console (`__rnbRenderCounts`). Off, it costs one property read per render.
 */
export const renderCounts = {
  enabled: false,
  counts: new Map<string, number>(),
  reset(): void {
    this.counts.clear();
  },
};

export function countRender(id: string): void {
  if (!renderCounts.enabled) return;
  renderCounts.counts.set(id, (renderCounts.counts.get(id) ?? 0) + 1);
}
