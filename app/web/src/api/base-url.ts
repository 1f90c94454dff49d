/**
 * Where the host serves this app. The page may be embedded under a prefix (`/tools/nb/`), so every
 * URL is resolved against a base: a `<meta name="rnb-base">` the host may inject wins, otherwise
 * the document's base URI with its file part removed. Routing uses the hash, so the path stays
 * the prefix.
 */
export function appBase(doc: Document = document): URL {
  const meta = doc.querySelector('meta[name="rnb-base"]')?.getAttribute('content');
  const base = new URL(meta && meta.trim() !== '' ? meta : '.', doc.baseURI);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.hash = '';
  base.search = '';
  return base;
}

/** An absolute URL for a path relative to the app's base (`api/notebooks`). */
export function appUrl(relative: string, doc: Document = document): string {
  return new URL(relative.replace(/^\/+/, ''), appBase(doc)).toString();
}
