import { appEvent, type AppSessions, type NotebookEvent } from '@rnb/core';
import type { NotebookCommand } from '../commands/command-router';
import { HostError } from '../errors';
import type { AppHost } from './app-host';
import { appReadOnly } from './app-host';

/** What a socket needs to serve app viewers. */
export interface AppSocketDeps {
  host: AppHost;
  sessions: AppSessions;
  /** The runtime methods an app viewer may call: those outputs need (live table pages), never completions or inspection. */
  runtimeMethods: ReadonlySet<string>;
}

/**
 * What outputs call on their own: `table_page` (a live table's rows) and `ping`. Completions (`complete`) and
 * inspection (`inspect`: signatures, docstrings) would tell a viewer about code the author hides.
 */
export const DEFAULT_APP_RUNTIME_METHODS: readonly string[] = ['table_page', 'ping'];

/** The room of one viewer's session: only that viewer's sockets are in it. */
export function appRoomOf(sessionKey: string): string {
  return `app:${sessionKey}`;
}

/**
 * Runs an app viewer's command in their own session. Only running the
 * notebook's own cells, stopping, moving a widget and asking the runtime are possible: every
 * other command is refused, whatever the socket layer let through.
 */
export function dispatchToApp(apps: AppSocketDeps, key: string, command: NotebookCommand): Promise<unknown> {
  const { sessions } = apps;
  switch (command.type) {
    case 'run_all':
      return sessions.runAll(key);
    case 'run_cell':
      return sessions.runCell(key, command.cellId);
    case 'interrupt':
      return Promise.resolve(sessions.interrupt(key));
    case 'runtime_call':
      if (!apps.runtimeMethods.has(command.method)) {
        return Promise.reject(new HostError(403, 'RNB_ERR_APP_READ_ONLY', `An app viewer cannot call the runtime method "${command.method.slice(0, 64)}"; apps allow ${[...apps.runtimeMethods].join(', ') || 'none'}.`));
      }
      return sessions.callRuntime(key, command.language, command.method, command.payload);
    case 'set_widget_value':
      // The viewer's own copy of the widget: their kernel, their readers, their sockets.
      return sessions.setWidgetValue(key, command.widgetId, command.value);
    case 'run_readers_of':
      return sessions.runReadersOf(key, command.names);
    default:
      return Promise.reject(appReadOnly(key.split('~')[0] ?? key));
  }
}

/** Forwards viewer sessions' events to their rooms, as the viewer may see them (no code, short errors). */
export function deliverAppEvents(sessions: AppSessions, emit: (room: string, event: NotebookEvent) => void): () => void {
  return sessions.subscribe((key, event) => {
    let settings;
    try {
      settings = sessions.settings(key);
    } catch {
      return; // closed meanwhile
    }
    const visible = appEvent(event, settings);
    if (visible) emit(appRoomOf(key), visible);
  });
}

