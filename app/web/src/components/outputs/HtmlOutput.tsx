import { useEffect, useMemo, useRef, useState } from 'react';

const MIN_HEIGHT = 24;
const MAX_HEIGHT = 1600;

/**
 * Cell HTML is untrusted: whatever a cell computed could be sent out by it. It runs two frames deep:
 *
 * - an outer frame (`srcdoc` built here, nothing of the cell's in its own markup) sandboxed without
 *   `allow-same-origin`, whose content security policy denies every network fetch and, through
 *   `frame-src 'none'`, every navigation of the frame inside it;
 * - an inner frame, also sandboxed (`allow-scripts` only: no same origin, no forms, no popups, no
 *   top navigation), holding the cell's HTML. As a `srcdoc` document it inherits the outer policy,
 *   so markup of its own cannot loosen it, and its navigations (links, `location`, meta refresh,
 *   `data:`/`blob:` documents) are checked against the outer `frame-src 'none'` and refused.
 *
 * A policy in the cell's own document alone would not do: Chromium lets a frame navigate itself
 * whatever its own policy says, and the URL of that navigation carries data out. The scripts of the
 * output still run and draw (DOM, canvas, inline styles, data: and blob: images). Their only channel
 * out is a height message, which the outer frame forwards and the app checks comes from this frame
 * and clamps.
 */
export function HtmlOutput({ html, title = 'HTML output of the cell', allowEval = false }: {
  html: string;
  title?: string;
  /** Charts: their libraries compile expressions with `Function`. Nothing more than the frame's inline scripts can already do. */
  allowEval?: boolean;
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(60);
  const srcDoc = useMemo(() => wrapHtml(html, allowEval ? OUTPUT_CSP_WITH_EVAL : OUTPUT_CSP), [html, allowEval]);

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
      title={title}
      sandbox={OUTPUT_SANDBOX}
      referrerPolicy="no-referrer"
      srcDoc={srcDoc}
      style={{ height }}
    />
  );
}

/** Scripts only: no same origin (so no app cookies, storage or DOM), no forms, popups or top navigation. */
export const OUTPUT_SANDBOX = 'allow-scripts';

/**
 * No network of any kind (no `https:` either: a request to any host is a way out), no nested
 * documents and so no navigation of the inner frame, no forms, no `<base>`.
 */
export const OUTPUT_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; " +
  "font-src data:; media-src data: blob:; connect-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'; " +
  "form-action 'none'; base-uri 'none'; manifest-src 'none'";

// Measures a flow-root wrapper, not the document: the document is never shorter than the frame,
// so its height could only grow.
const RESIZE_SCRIPT = `<script>(function(){function post(){var r=document.getElementById('rnb-root');if(r)parent.postMessage({rnbHeight:r.getBoundingClientRect().height},'*')}
addEventListener('load',post);addEventListener('DOMContentLoaded',function(){post();if(window.ResizeObserver){new ResizeObserver(post).observe(document.getElementById('rnb-root'))}})})()</script>`;

// The outer frame passes on the inner frame's height messages, nothing else.
const FORWARD_SCRIPT = `<script>(function(){var inner=document.getElementById('rnb-output');addEventListener('message',function(e){
if(e.source!==inner.contentWindow)return;var h=e.data&&e.data.rnbHeight;if(typeof h==='number'&&isFinite(h))parent.postMessage({rnbHeight:h},'*')})})()</script>`;

/** The policy of chart frames (Vega-Lite, Plotly): the same, and `eval`, which their libraries use to compile expressions. */
export const OUTPUT_CSP_WITH_EVAL = OUTPUT_CSP.replace("script-src 'unsafe-inline'", "script-src 'unsafe-inline' 'unsafe-eval'");

const policyMeta = (policy: string): string => `<meta http-equiv="Content-Security-Policy" content="${policy}">`;

/** The document of the inner frame: the cell's HTML under the same policy (a second guard) and a height reporter. */
export function innerDocument(html: string, policy: string = OUTPUT_CSP): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8">${policyMeta(policy)}` +
    `<style>body{margin:0;font:14px system-ui,sans-serif;color:#1f2328}@media (prefers-color-scheme:dark){body{color:#e6edf3}}` +
    `#rnb-root{display:flow-root}table{border-collapse:collapse}td,th{border:1px solid #8884;padding:2px 6px}</style>${RESIZE_SCRIPT}</head>` +
    `<body><div id="rnb-root">${html}</div></body></html>`
  );
}

/** The outer frame's document: the policy first, then the inner frame with the cell's HTML as its srcdoc. */
export function wrapHtml(html: string, policy: string = OUTPUT_CSP): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8">${policyMeta(policy)}` +
    `<style>html,body{margin:0;height:100%;overflow:hidden}iframe{display:block;border:0;width:100%;height:100%}</style></head>` +
    `<body><iframe id="rnb-output" sandbox="${OUTPUT_SANDBOX}" referrerpolicy="no-referrer" title="HTML output" srcdoc="${escapeAttribute(innerDocument(html, policy))}"></iframe>` +
    `${FORWARD_SCRIPT}</body></html>`
  );
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}
