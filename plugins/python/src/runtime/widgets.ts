/**
 * The Pyodide side of `rnb.ui` (python/rnb/ui.py): installs the module and
 * gives the runtime its two entry points, kept here so the runtime's own
 * files change by a line or two.
 */
import type { PyodideAPI } from 'pyodide';
import type { JsonValue } from '@rnb/core';
import type { PyCallable, PyProxyLike } from './pyodide-types';

interface WidgetsModule extends PyProxyLike {
  begin_cell: PyCallable<[string, string], void>;
  set_widget_value: PyCallable<[string], string>;
}

/** `set_widget_value`'s answer: the value as stored, the widget's props and kind, and the names bound to it. */
export interface WidgetValueAnswer {
  value: JsonValue;
  props: { [key: string]: JsonValue };
  kind: string;
  names: string[];
}

/** The answer when this kernel has no such widget (it has not run the defining cell). */
export interface MissingWidgetAnswer {
  missing: true;
}

export class PythonWidgets {
  private constructor(private readonly module: WidgetsModule) {}

  /** Puts `rnb` and `rnb.ui` in sys.modules. */
  static install(pyodide: PyodideAPI): PythonWidgets {
    // python/rnb/ui.py, written into Pyodide's file system with the other kernel modules (python-sources.ts).
    return new PythonWidgets(pyodide.pyimport('rnb.ui') as unknown as WidgetsModule);
  }

  /** Before a cell runs: widget ids restart for it, and the values the notebook stored for it (CellRun.meta.widgets) apply. */
  beginCell(cellId: string, stored: JsonValue | undefined): void {
    this.module.begin_cell(cellId, stored && typeof stored === 'object' && !Array.isArray(stored) ? JSON.stringify(stored) : '{}');
  }

  /** The runtime call `set_widget_value` ({ widget_id, value }): a bad value throws with Python's one-line message. */
  setValue(payload: JsonValue): WidgetValueAnswer | MissingWidgetAnswer {
    const request = payload as { widget_id?: unknown } | null;
    if (!request || typeof request !== 'object' || Array.isArray(request) || typeof request.widget_id !== 'string') {
      throw new Error('set_widget_value takes { widget_id: string, value }.');
    }
    const answer = JSON.parse(this.module.set_widget_value(JSON.stringify(payload))) as WidgetValueAnswer | MissingWidgetAnswer | { error: string };
    if ('error' in answer) throw new Error(answer.error);
    return answer;
  }
}
