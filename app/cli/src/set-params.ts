import { SCRIPT_CELL_TYPE, type PortableNotebook } from '@rnb/core';
import { CliError } from './errors';

/** Python literals a `--set` may replace and write: numbers, strings, True, False, None. */
const LITERAL = /^(?:[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?|[rRbBuUfF]{0,2}"(?:[^"\\\n]|\\.)*"|[rRbBuUfF]{0,2}'(?:[^'\\\n]|\\.)*'|True|False|None)$/;

/**
 * Applies `--set name=value`: the one top-level line `name = <literal>` of a
 * Python cell gets the new value (a Python literal as given, anything else as
 * a string), so a notebook is a job with parameters, as papermill does.
 */
export function applySets(notebook: PortableNotebook, sets: string[]): PortableNotebook {
  let cells = notebook.cells;
  for (const setting of sets) {
    const match = /^([A-Za-z_]\w*)=(.*)$/s.exec(setting);
    if (!match) throw new CliError(`--set ${setting}: write it as name=value, e.g. --set limit=10 or --set region=north.`);
    const [, name, rawValue] = match as unknown as [string, string, string];
    const value = LITERAL.test(rawValue.trim()) ? rawValue.trim() : JSON.stringify(rawValue);
    const assignment = new RegExp(`^(${name}\\s*(?::[^=\\n]+)?=\\s*)(.*?)(\\s*(?:#.*)?)$`, 'm');
    const targets = cells.filter((c) => c.type === SCRIPT_CELL_TYPE && literalAssignment(c.code, assignment));
    if (targets.length === 0) {
      throw new CliError(`--set ${name}: no Python cell sets "${name}" to a constant at top level (a line "${name} = <number, string, True, False or None>").`);
    }
    if (targets.length > 1) throw new CliError(`--set ${name}: ${targets.length} cells set "${name}"; a name is defined in one cell only.`);
    cells = cells.map((c) => (c === targets[0] ? { ...c, code: c.code.replace(assignment, (_m, left: string, _old: string, comment: string) => `${left}${value}${comment}`) } : c));
  }
  return { ...notebook, cells };
}

function literalAssignment(code: string, assignment: RegExp): boolean {
  const found = assignment.exec(code);
  return !!found && LITERAL.test(found[2]!.trim());
}
