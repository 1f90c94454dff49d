import { stripAnsi } from './text';

export function TextOutput({ text, stream = false }: { text: string; stream?: boolean }) {
  return (
    <pre className={stream ? 'output output--stdout' : 'output output--text'} aria-label={stream ? 'Standard output' : 'Text output'}>
      {stripAnsi(text)}
    </pre>
  );
}
