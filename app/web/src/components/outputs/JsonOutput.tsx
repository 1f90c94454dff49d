import type { JsonValue } from '../../api/types';

/** A collapsible JSON tree built from <details>, so keyboard and screen readers work natively. */
export function JsonOutput({ value, label = 'JSON output' }: { value: JsonValue; label?: string }) {
  return (
    <div className="output output--json" role="tree" aria-label={label}>
      <JsonNode value={value} depth={0} name={null} />
    </div>
  );
}

function JsonNode({ value, depth, name }: { value: JsonValue; depth: number; name: string | null }) {
  const key = name === null ? null : <span className="json__key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="json__leaf" role="treeitem">
        {key}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, JsonValue][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  const summary = Array.isArray(value) ? `Array(${entries.length})` : `{${entries.length} ${entries.length === 1 ? 'key' : 'keys'}}`;
  if (entries.length === 0) {
    return (
      <div className="json__leaf" role="treeitem">
        {key}
        <span className="json__empty">{Array.isArray(value) ? '[]' : '{}'}</span>
      </div>
    );
  }
  return (
    <details className="json__node" open={depth < 2} role="treeitem">
      <summary>
        {key}
        <span className="json__summary">{summary}</span>
      </summary>
      <div role="group" className="json__children">
        {entries.map(([k, v]) => (
          <JsonNode key={k} value={v} depth={depth + 1} name={k} />
        ))}
      </div>
    </details>
  );
}

function Scalar({ value }: { value: string | number | boolean | null }) {
  if (value === null) return <span className="json__null">null</span>;
  if (typeof value === 'string') return <span className="json__string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="json__number">{String(value)}</span>;
  return <span className="json__boolean">{String(value)}</span>;
}
