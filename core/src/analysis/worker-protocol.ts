/** Messages between the analysis pool and its worker threads. */

export interface AnalysisItem {
  /** The pool's number for this cell's job. */
  seq: number;
  /** Absolute path of the analyser module and the export to call. */
  module: string;
  exportName: string;
  code: string;
}

/** Several cells in one message: a notebook opened with many cells costs few messages. */
export interface AnalysisBatch {
  items: AnalysisItem[];
}

/** Load these analysers now (a new or replacement worker), so the next cell does not wait for them. No answer. */
export interface PreloadMessage {
  load: { module: string; exportName: string }[];
}

/**
 * `started` once the batch's analyser modules are loaded, then one answer per
 * cell, in the batch's order: the analyser's result, or why it threw.
 */
export type WorkerAnswer = { started: true } | { seq: number; analysis: unknown } | { seq: number; failure: string } | { thread: number | null };
