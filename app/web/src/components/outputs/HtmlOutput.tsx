import { useEffect, useMemo, useRef, useState } from 'react';

const MIN_HEIGHT = 24;
const MAX_HEIGHT = 1600;

/**
 * Cell HTML runs in an iframe sandboxed without `allow-same-origin`: it gets an opaque origin, so
 * its scripts cannot read the app's DOM, storage, cookies or the auth token held in memory. A
 * content security policy also denies it network access (`connect-src 'none'`), so it cannot
 * send what it computed anywhere. Its only channel out is a height message, which the app checks
 * comes from this frame and clamps.
 */
export function HtmlOutput({ html }: { html: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(60);
  const srcDoc = useMemo(() => wrapHtml(html), [html]);

  useEffect(() => {
    const onMessage = (event: MessageEvent): void => {
      if (!frame.current || event.source !== frame.current.contentWindow) return;
      const value = (event.data as { rnbHeight?: unknown } | null)?.rnbHeight;
      if (typeof value === 'number' && Number.isFinite(value)) {
        setHeight(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(value))));
      }
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);

  return (
    <iframe
      ref={frame}
      className="output output--html"
      title="HTML output of the cell"
      sandbox="allow-scripts"
      referrerPolicy="no-referrer"
      srcDoc={srcDoc}
      style={{ height }}
    />
  );
}

const CSP =
  "default-src 'none'; script-src 'unsafe-inline' https:; style-src 'unsafe-inline' https:; " +
  "img-src data: blob: https:; font-src data: https:; media-src data: blob:; connect-src 'none'; form-action 'none'";

// Measures a flow-root wrapper, not the document: the document is never shorter than the frame,
// so its height could only grow.
const RESIZE_SCRIPT = `<script>(function(){function post(){var r=document.getElementById('rnb-root');if(r)parent.postMessage({rnbHeight:r.getBoundingClientRect().height},'*')}
addEventListener('load',post);addEventListener('DOMContentLoaded',function(){post();if(window.ResizeObserver){new ResizeObserver(post).observe(document.getElementById('rnb-root'))}})})()</script>`;

export function wrapHtml(html: string): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    `<style>body{margin:0;font:14px system-ui,sans-serif;color:#1f2328}@media (prefers-color-scheme:dark){body{color:#e6edf3}}` +
    `#rnb-root{display:flow-root}table{border-collapse:collapse}td,th{border:1px solid #8884;padding:2px 6px}</style>${RESIZE_SCRIPT}</head>` +
    `<body><div id="rnb-root">${html}</div></body></html>`
  );
}
