import type { Analysis, LanguageDefinition } from '../language/language';
import { compiledPath } from '../paths';
import { FakeSyntaxError, namesIn, parseFake, type Statement } from './fake-syntax';

/** The analyser of the fake language: defines are assigned names, references the names read before they are assigned. */
export function analyseFake(code: string): Analysis {
  let statements: Statement[];
  try {
    statements = parseFake(code);
  } catch (error) {
    if (error instanceof FakeSyntaxError) return { defines: [], references: [], error: { message: `SyntaxError: ${error.message}`, line: error.line, column: error.column } };
    throw error;
  }
  const defines = new Set<string>();
  const references = new Set<string>();
  const deletes = new Set<string>();
  const read = (names: string[]): void => names.forEach((n) => !defines.has(n) && references.add(n));
  for (const s of statements) {
    if (s.kind === 'assign') {
      read(namesIn(s.expr));
      defines.add(s.name);
    } else if (s.kind === 'print') s.exprs.forEach((e) => read(namesIn(e)));
    else if (s.kind === 'expr') read(namesIn(s.expr));
    else if (s.kind === 'del') {
      read([s.name]);
      if (!defines.has(s.name)) deletes.add(s.name);
      defines.delete(s.name);
    }
  }
  return { defines: [...defines], references: [...references], deletes: [...deletes] };
}

/**
 * A language whose runtime is a few lines of JavaScript running in the real
 * kernel process: core's tests, and plugin authors', need no real plugin.
 */
export function fakeLanguage(id = 'fake', options: { hangOnLoad?: boolean; failOnLoad?: boolean; logOnLoad?: boolean } = {}): LanguageDefinition {
  const runtime = compiledPath(__dirname, 'fake-runtime.js');
  return {
    id,
    displayName: 'Fake',
    analyse: analyseFake,
    runtime: { module: runtime, readPaths: [compiledPath(__dirname, 'fake-syntax.js')], options: { hangOnLoad: options.hangOnLoad === true, failOnLoad: options.failOnLoad === true, logOnLoad: options.logOnLoad === true } },
    hostServices: {
      echo: async (payload) => ({ echoed: payload }),
    },
  };
}
