/**
 * The page shares the server's wire contract (`@rnb/core/wire`) without taking any of its code:
 * the contract compiles to nothing, and the page imports core with `import type` only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const WEB_SRC = path.resolve(__dirname, '..');
/** Plugin entries written for the browser, which the page may bundle. */
const BROWSER_ENTRIES = new Set(['@rnb/markdown/render']);
const WIRE = path.resolve(__dirname, '../../../../core/src/wire.ts');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    // Tests run in Node, never in the bundle.
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('the wire contract in the page', () => {
  it('compiles to no code: @rnb/core/wire is types only', () => {
    const output = ts.transpileModule(fs.readFileSync(WIRE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const code = output.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/export\s*\{\s*\};?/g, '').trim();
    expect(code).toBe('');
  });

  it('is imported by the page with `import type` only (no core code in the bundle)', () => {
    const valueImports: string[] = [];
    for (const file of sourceFiles(WEB_SRC)) {
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
        const specifier = statement.moduleSpecifier;
        if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('@rnb/')) continue;
        // The markdown plugin's renderer is browser code by design (markdown-it and KaTeX, no core, no Node).
        if (BROWSER_ENTRIES.has(specifier.text)) continue;
        const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly;
        if (!typeOnly) valueImports.push(`${path.relative(WEB_SRC, file)}: ${statement.getText(source).split('\n')[0]}`);
      }
    }
    expect(valueImports).toEqual([]);
  });
});
