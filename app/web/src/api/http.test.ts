/** @jest-environment jsdom */
import { parseRoute } from '../App';
import { appBase, appUrl } from './base-url';
import type { ErrorBody } from '@rnb/core/wire';
import { ApiClient, ApiError, type ApiErrorCode } from './http';

type Call = { url: string; init: RequestInit };

function client(reply: { status: number; body?: string } | Error, token: string | null = 'tok') {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    if (reply instanceof Error) throw reply;
    return { ok: reply.status < 400, status: reply.status, text: async () => reply.body ?? '' } as Response;
  }) as unknown as typeof fetch;
  return { api: new ApiClient({ fetchImpl, getToken: async () => token, resolve: (p) => `/base/${p}` }), calls };
}

describe('ApiClient', () => {
  it('sends the bearer token and JSON body to the contract path', async () => {
    const { api, calls } = client({ status: 201, body: '{"cell_id":"c9"}' });
    await expect(api.createCell('nb 1', { type: 'sql', after_cell_id: 'c1', code: 'SELECT 1' })).resolves.toBe('c9');
    expect(calls[0]!.url).toBe('/base/api/notebooks/nb%201/cells');
    expect(calls[0]!.init.method).toBe('POST');
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ type: 'sql', after_cell_id: 'c1', code: 'SELECT 1' });
  });

  it('sends no Authorization header without a token, nor on /api/config', async () => {
    const { api, calls } = client({ status: 200, body: '{"auth":"none"}' }, null);
    await api.config();
    await api.listNotebooks().catch(() => undefined);
    for (const call of calls) expect((call.init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('turns the host error body into a typed ApiError', async () => {
    // Typed by the wire contract: a code no server emits does not compile here.
    const answer: ErrorBody = { error: { code: 'RNB_ERR_NOTEBOOK_NOT_FOUND', message: 'No notebook with id "x".' } };
    const { api } = client({ status: 404, body: JSON.stringify(answer) });
    const err = await api.getNotebook('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const expected: { status: number; code: ApiErrorCode; message: string; isNetwork: boolean } = { status: 404, code: 'RNB_ERR_NOTEBOOK_NOT_FOUND', message: 'No notebook with id "x".', isNetwork: false };
    expect(err).toMatchObject(expected);
  });

  it('keeps the error body\'s other fields (an edit conflict\'s current_code) and sends base_code', async () => {
    const { api, calls } = client({ status: 409, body: '{"error":{"code":"RNB_ERR_EDIT_CONFLICT","message":"changed","current_code":"v = 3"}}' });
    const err = await api.updateCell('nb', 'c1', 'v = 2', 'v = 1').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409, code: 'RNB_ERR_EDIT_CONFLICT', details: { current_code: 'v = 3' } });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ code: 'v = 2', base_code: 'v = 1' });
  });

  it('names a failure without a JSON body by its status, and a network failure as status 0', async () => {
    await expect(client({ status: 502, body: '<html>bad gateway' }).api.getNotebook('x')).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
    await expect(client(new TypeError('Failed to fetch')).api.getNotebook('x')).rejects.toMatchObject({ status: 0, isNetwork: true });
  });

  it('treats 204 as success with no body', async () => {
    await expect(client({ status: 204 }).api.deleteNotebook('x')).resolves.toBeUndefined();
  });
});

describe('base URL and routes', () => {
  afterEach(() => document.head.querySelectorAll('meta[name="rnb-base"], base').forEach((m) => m.remove()));

  it('resolves API paths under the prefix the page is served from', () => {
    const base = document.createElement('base');
    base.href = 'http://example.test/tools/nb/index.html';
    document.head.append(base);
    expect(appBase().toString()).toBe('http://example.test/tools/nb/');
    expect(appUrl('api/notebooks')).toBe('http://example.test/tools/nb/api/notebooks');
  });

  it('lets the host override the base with a meta tag', () => {
    const meta = document.createElement('meta');
    meta.name = 'rnb-base';
    meta.content = '/embedded/notebooks';
    document.head.append(meta);
    expect(appUrl('/api/config')).toBe(`${location.origin}/embedded/notebooks/api/config`);
  });

  it('routes #/n/<id> to a notebook and anything else to the list', () => {
    expect(parseRoute('#/n/abc%20d')).toEqual({ kind: 'notebook', id: 'abc d' });
    expect(parseRoute('#/')).toEqual({ kind: 'list' });
    expect(parseRoute('')).toEqual({ kind: 'list' });
  });

  it('routes the path app/<id> to the app view, and a hash route beside it to that route', () => {
    expect(parseRoute('', 'app/abc%20d')).toEqual({ kind: 'app', id: 'abc d' });
    expect(parseRoute('#/', 'app/abc/')).toEqual({ kind: 'app', id: 'abc' });
    expect(parseRoute('#/n/xyz', 'app/abc')).toEqual({ kind: 'notebook', id: 'xyz' });
    expect(parseRoute('', 'apps/abc')).toEqual({ kind: 'list' });
  });
});
