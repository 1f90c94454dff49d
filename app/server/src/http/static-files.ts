import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type Koa from 'koa';
import send from 'koa-send';
import type { Logger } from '../logger';

export interface StaticFilesOptions {
  /** The built web app (holds index.html). */
  root: string;
  prefix: string;
  log: Logger;
  /** `Content-Security-Policy: frame-ancestors` of the page (e.g. `'self'`): who may frame it. Unset: nothing sent. */
  frameAncestors?: string;
}

const RESERVED = /^(api|socket\.io|healthz|plugins)(\/|$)/;

/**
 * Serves the built front end under the prefix, with a single-page-app
 * fallback: a path without a file extension gets index.html. index.html is
 * sent with `<base>` and the `rnb-base` meta set to the prefix, so relative
 * asset and API URLs resolve from any deep link.
 */
export function staticFiles(options: StaticFilesOptions): Koa.Middleware {
  const root = path.resolve(options.root);
  const base = `${options.prefix}/`;
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (options.prefix && ctx.path === options.prefix) {
      ctx.redirect(`${base}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      return;
    }
    if (!ctx.path.startsWith(base)) return next();
    const relative = ctx.path.slice(base.length);
    if (RESERVED.test(relative)) return next();
    const started = performance.now();
    try {
      const index = (): Promise<void> => sendIndex(ctx, root, base, options.frameAncestors);
      if (relative === '' || relative === 'index.html') await index();
      else {
        const served = await sendFile(ctx, root, relative);
        // SPA fallback: deep links (no extension) get the app; missing assets stay 404.
        if (!served && path.extname(relative) === '') await index();
        else if (!served) return next();
      }
    } catch (error) {
      options.log.warn('static file failed', { path: ctx.path, error: (error as Error)?.message });
      ctx.status = 500;
      ctx.body = 'Internal server error';
    }
    options.log.debug('request', { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round((performance.now() - started) * 100) / 100 });
  };
}

async function sendFile(ctx: Koa.Context, root: string, relative: string): Promise<boolean> {
  try {
    // koa-send refuses paths that leave root and hidden files.
    const immutable = relative.startsWith('assets/');
    await send(ctx, relative, { root, index: false, hidden: false, immutable, maxage: immutable ? 365 * 24 * 3600 * 1000 : 0 });
    return true;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 400 || status === 403) return false;
    throw error;
  }
}

async function sendIndex(ctx: Koa.Context, root: string, base: string, frameAncestors: string | undefined): Promise<void> {
  const html = await fs.readFile(path.join(root, 'index.html'), 'utf8');
  const escaped = base.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const injected = html.replace(/<head([^>]*)>/i, `<head$1>\n    <base href="${escaped}" />\n    <meta name="rnb-base" content="${escaped}" />`);
  ctx.status = 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-cache');
  if (frameAncestors) {
    // Clickjacking: a page of another site must not show the notebook in a frame and steer clicks into it.
    ctx.set('Content-Security-Policy', `frame-ancestors ${frameAncestors}`);
    if (frameAncestors.trim() === "'self'") ctx.set('X-Frame-Options', 'SAMEORIGIN');
    else if (frameAncestors.trim() === "'none'") ctx.set('X-Frame-Options', 'DENY');
  }
  ctx.body = injected;
}
