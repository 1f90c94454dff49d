/**
 * A small Dockerfile parser for the lint test: enough of the syntax for what
 * we write (comments, parser directives, line continuations, JSON exec form,
 * flags such as --from), not a general one. Heredocs are refused so the lint
 * never silently misreads a file.
 */

export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuations joined with one space. */
  args: string;
  /** `--name=value` flags in front of the arguments. */
  flags: Record<string, string>;
  /** The arguments without the flags. */
  rest: string;
  /** JSON array when the instruction uses exec form. */
  exec: string[] | null;
  line: number;
}

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Record<string, string>;
  /** Instructions before the first FROM (global ARGs). */
  preamble: Instruction[];
  stages: Stage[];
}

export class DockerfileSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`Dockerfile line ${line}: ${message}`);
    this.name = 'DockerfileSyntaxError';
  }
}

const FLAG = /^--([a-z-]+)(?:=(\S*))?\s*/;

function parseInstruction(text: string, line: number): Instruction {
  const m = /^([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!m) throw new DockerfileSyntaxError(`cannot read instruction "${text}"`, line);
  const keyword = m[1].toUpperCase();
  const args = (m[2] ?? '').trim();
  if (/<<-?["']?[A-Za-z_]/.test(args) && ['RUN', 'COPY', 'ADD'].includes(keyword)) {
    throw new DockerfileSyntaxError('heredocs are not supported by this lint', line);
  }
  const flags: Record<string, string> = {};
  let rest = args;
  // HEALTHCHECK and RUN/COPY/ADD take leading flags; other keywords' "--" is data.
  if (['RUN', 'COPY', 'ADD', 'FROM', 'HEALTHCHECK'].includes(keyword)) {
    for (let f = FLAG.exec(rest); f; f = FLAG.exec(rest)) {
      flags[f[1]] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
  }
  let exec: string[] | null = null;
  const execText = keyword === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/, '') : rest;
  if (execText.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(execText);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) exec = parsed as string[];
    } catch {
      throw new DockerfileSyntaxError(`invalid JSON exec form: ${execText}`, line);
    }
  }
  return { keyword, args, flags, rest, exec, line };
}

export function parseDockerfile(source: string): Dockerfile {
  const lines = source.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  // Parser directives: leading "# key=value" comments, before anything else.
  for (; i < lines.length; i++) {
    const d = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(lines[i]);
    if (!d) break;
    directives[d[1].toLowerCase()] = d[2];
  }
  const instructions: Instruction[] = [];
  let buffer = '';
  let startLine = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (!buffer && (trimmed === '' || trimmed.startsWith('#'))) continue;
    // Comment and blank lines inside a continuation are skipped, as Docker does.
    if (buffer && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (!buffer) startLine = i + 1;
    if (trimmed.endsWith('\\')) {
      buffer += trimmed.slice(0, -1).trimEnd() + ' ';
      continue;
    }
    buffer += trimmed;
    instructions.push(parseInstruction(buffer.trim(), startLine));
    buffer = '';
  }
  if (buffer) throw new DockerfileSyntaxError('file ends inside a line continuation', startLine);

  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.rest);
      if (!m) throw new DockerfileSyntaxError(`cannot read FROM "${ins.rest}"`, ins.line);
      stages.push({ image: m[1], name: m[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new DockerfileSyntaxError(`${ins.keyword} before the first FROM`, ins.line);
      preamble.push(ins);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  if (stages.length === 0) throw new DockerfileSyntaxError('no FROM instruction', 1);
  return { directives, preamble, stages };
}

/** Values of ARG defaults in the preamble, for resolving `FROM ${NAME}`. */
export function globalArgs(df: Dockerfile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ins of df.preamble) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.rest);
    if (m && m[2] !== undefined) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** `KEY=value` pairs of an ENV or LABEL instruction (quoted values allowed). */
export function keyValues(ins: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(ins.rest); m; m = re.exec(ins.rest)) {
    out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}
