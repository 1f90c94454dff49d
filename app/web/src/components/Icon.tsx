/** Small stroke icons drawn inline: no icon font, and they follow the text colour in both themes. */
const PATHS = {
  play: 'M5 3.5v9l8-4.5z',
  stop: 'M4 4h8v8H4z',
  up: 'M8 13V3M4 7l4-4 4 4',
  down: 'M8 3v10M4 9l4 4 4-4',
  addAbove: 'M2 13h12M8 2v7M4.5 5.5h7',
  addBelow: 'M2 3h12M8 7v7M4.5 10.5h7',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9M7 7v4M9 7v4',
  keyboard: 'M1.5 4h13v8h-13zM4 6.5h1M7 6.5h1M10 6.5h1M4.5 9.5h7',
  playAll: 'M2 3.5v9l6-4.5zM8 3.5v9l6-4.5z',
  restart: 'M13 8a5 5 0 1 1-1.5-3.6M13 2.5v2.5h-2.5',
  clear: 'M3 4.5h10M3 8h6M3 11.5h4M10.5 10l3 3M13.5 10l-3 3',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  const filled = name === 'play' || name === 'stop' || name === 'playAll';
  return (
    <svg className="icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={filled ? 0 : 1.5} strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
