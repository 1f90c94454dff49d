import { stripAnsi } from './text';

/** What a cell wrote to stderr (warnings, `print(..., file=sys.stderr)`): tinted so it never reads as stdout. */
export function StderrOutput({ text }: { text: string }) {
  return (
    <pre className="output output--stderr" aria-label="Standard error">
      {stripAnsi(text)}
    </pre>
  );
}
