import type { Router } from '@koa/router';
import { diffVersions, summarizeDiff, type NotebookVersion } from '@rnb/core';
import type * as wire from '@rnb/core/wire';
import type { CommandRouter } from '../commands/command-router';
import { HostError } from '../errors';
import { endpoint, type EndpointDeps } from '../http/endpoint';
import type { NotebookAccess } from '../sharing/notebook-access';
import type { HistoryRecorder } from './history-recorder';

export interface HistoryRouteDeps extends EndpointDeps {
  commands: CommandRouter;
  access: NotebookAccess;
  history: HistoryRecorder;
}

/** Version history: read by anyone who may read the notebook, restored by who may edit it. */
export function registerHistoryRoutes(router: Router, deps: HistoryRouteDeps): void {
  const versionsFor = async (userId: string, notebookId: string): Promise<{ owner: string; versions: NotebookVersion[] }> => {
    // Through the command router: the same answer as reading the notebook (404, an app viewer's 403).
    await deps.commands.dispatch(userId, notebookId, { type: 'get_notebook' });
    const { owner } = await deps.access.authorize(userId, notebookId, 'read');
    return { owner, versions: await deps.history.versions(owner, notebookId) };
  };
  const find = (versions: NotebookVersion[], id: string | undefined): { version: NotebookVersion; index: number } => {
    const index = versions.findIndex((v) => v.id === id);
    if (index < 0) throw new HostError(404, 'RNB_ERR_VERSION_NOT_FOUND', `No version "${String(id).slice(0, 100)}" of this notebook: it may have been pruned.`);
    return { version: versions[index]!, index };
  };
  const summaryOf = (versions: NotebookVersion[], index: number): wire.VersionSummary => {
    const v = versions[index]!;
    return { id: v.id, at: v.at, authors: v.authors, reason: v.reason, summary: summarizeDiff(diffVersions(versions[index - 1]?.cells ?? [], v.cells)) };
  };

  router.get('/api/notebooks/:id/history', endpoint(deps, {}, async ({ user, params }) => {
    const { versions } = await versionsFor(user.userId, params.id!);
    return { status: 200, body: { versions: versions.map((_, i) => summaryOf(versions, i)).reverse() } satisfies wire.HistoryAnswer };
  }));

  router.get('/api/notebooks/:id/history/diff', endpoint(deps, {}, async ({ user, params }, ctx) => {
    const { versions } = await versionsFor(user.userId, params.id!);
    const from = find(versions, typeof ctx.query.from === 'string' ? ctx.query.from : undefined).version;
    const to = find(versions, typeof ctx.query.to === 'string' ? ctx.query.to : undefined).version;
    const cells = diffVersions(from.cells, to.cells).map((d) => ({ cell_id: d.cellId, type: d.type, change: d.change, moved: d.moved, lines: d.lines }));
    return { status: 200, body: { from: from.id, to: to.id, cells } satisfies wire.VersionDiffAnswer };
  }));

  router.get('/api/notebooks/:id/history/:version', endpoint(deps, {}, async ({ user, params }) => {
    const { versions } = await versionsFor(user.userId, params.id!);
    const { version, index } = find(versions, params.version);
    return { status: 200, body: { ...summaryOf(versions, index), cells: version.cells } satisfies wire.VersionAnswer };
  }));

  router.post('/api/notebooks/:id/history/:version/restore', endpoint(deps, {}, async ({ user, params }) => {
    const made = await deps.history.restore(deps.commands, user.userId, params.id!, params.version!);
    if (!made) return { status: 200, body: { version: null } satisfies wire.RestoreAnswer };
    const { versions } = await versionsFor(user.userId, params.id!);
    return { status: 200, body: { version: summaryOf(versions, versions.findIndex((v) => v.id === made.id)) } satisfies wire.RestoreAnswer };
  }));
}
