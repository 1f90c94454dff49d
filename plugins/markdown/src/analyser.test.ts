import { analyseMarkdown } from './analyser';
import { parseTemplate } from './template';

describe('the markdown analyser', () => {
  it('reads {name} and {name:spec} as references and defines nothing', () => {
    expect(analyseMarkdown('Pi is {x:.2f}, n = {n}, {x} again, total {total:>10,.1f}')).toEqual({ defines: [], references: ['x', 'n', 'total'] });
  });

  it('reads the first name of {a.b} (attribute access)', () => {
    expect(analyseMarkdown('{threshold.value} and {row.name.first}').references).toEqual(['threshold', 'row']);
  });

  it('takes {{ and }} as literal braces', () => {
    expect(analyseMarkdown('Use {{x}} in code, {{not}} a reference; {y}').references).toEqual(['y']);
    expect(parseTemplate('a {{x}} b')).toEqual([{ kind: 'text', text: 'a {x} b' }]);
  });

  it('leaves braces inside code spans, fenced code and math alone', () => {
    const code = [
      'Inline `{a}` and ``{b} with ` inside``,',
      '```python',
      'd = {c: 1}',
      '```',
      '~~~',
      '{e}',
      '~~~',
      'math $\\frac{f}{g}$ and',
      '$$',
      '\\sqrt{h}',
      '$$',
      'and then {real}.',
    ].join('\n');
    expect(analyseMarkdown(code).references).toEqual(['real']);
  });

  it('reads names after an unclosed backtick, an escaped backtick and a lone dollar', () => {
    expect(analyseMarkdown('one ` tick {a}').references).toEqual(['a']);
    expect(analyseMarkdown('escaped \\`{b}\\`').references).toEqual(['b']);
    expect(analyseMarkdown('costs $5 and {c} more, $ 3').references).toEqual(['c']);
  });

  it('leaves braces that do not hold a name as text', () => {
    expect(analyseMarkdown('{not a name} {1+2} {} {x y} {a-b}')).toEqual({ defines: [], references: [] });
    expect(analyseMarkdown('{open\n}')).toEqual({ defines: [], references: [] });
  });

  it('reports a format spec Python would refuse as an error at its place', () => {
    expect(analyseMarkdown('line one\nvalue {x:.2q}')).toEqual({
      defines: [],
      references: [],
      error: { message: "{x:.2q}: Invalid format specifier '.2q' (line 2, column 7)", line: 2, column: 7 },
    });
  });
});

describe('the markdown analyser on large and hostile text', () => {
  it('reads a 200,000-character cell with thousands of placeholders, braces and backticks quickly', () => {
    const line = 'Value {v1:.2f} and `code {x}` with { brace $m$ and {{ literal }} ``` not a fence\n';
    const code = line.repeat(Math.ceil(200_000 / line.length)) + '{'.repeat(50_000) + '`'.repeat(3000);
    const analysis = analyseMarkdown(code);
    expect(analysis.references).toEqual(['v1']);
    expect(analysis.error).toBeUndefined();
  });

  it('gives the line and column of a bad spec deep in a long cell', () => {
    const code = `${'text\n'.repeat(5000)}  {x:!}`;
    expect(analyseMarkdown(code).error).toMatchObject({ line: 5001, column: 3 });
  });
});
