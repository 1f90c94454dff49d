import { svgDataUrl } from './text';

const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

/**
 * PNG and JPEG from base64, SVG as an <img> data URL: an image element never runs the SVG's scripts or
 * lets its markup into the page, unlike inline SVG.
 */
export function ImageOutput({ mime, data }: { mime: 'image/png' | 'image/jpeg' | 'image/svg+xml'; data: string }) {
  if (mime === 'image/png' || mime === 'image/jpeg') {
    const name = mime === 'image/png' ? 'PNG' : 'JPEG';
    if (!BASE64.test(data)) return <p className="output output--invalid">Invalid {name} output (not base64).</p>;
    return <img className="output output--image" src={`data:${mime};base64,${data.replace(/\s/g, '')}`} alt={`${name} output of the cell`} />;
  }
  return <img className="output output--image" src={svgDataUrl(data)} alt="SVG output of the cell" />;
}
