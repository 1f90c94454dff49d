import { svgDataUrl } from './text';

const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

/**
 * PNG from base64, SVG as an <img> data URL: an image element never runs the SVG's scripts or
 * lets its markup into the page, unlike inline SVG.
 */
export function ImageOutput({ mime, data }: { mime: 'image/png' | 'image/svg+xml'; data: string }) {
  if (mime === 'image/png') {
    if (!BASE64.test(data)) return <p className="output output--invalid">Invalid PNG output (not base64).</p>;
    return <img className="output output--image" src={`data:image/png;base64,${data.replace(/\s/g, '')}`} alt="PNG output of the cell" />;
  }
  return <img className="output output--image" src={svgDataUrl(data)} alt="SVG output of the cell" />;
}
