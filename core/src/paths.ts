import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The compiled file for a module of this package. Kernel processes run
 * compiled JavaScript; under a test runner this code runs from src/, so the
 * path is mapped to dist/ (build first: `npm run build:ts`).
 */
export function compiledPath(fromDir: string, relative: string): string {
  const direct = path.join(fromDir, relative);
  if (fs.existsSync(direct)) return direct;
  const packageRoot = fromDir.slice(0, fromDir.lastIndexOf(`${path.sep}src`));
  const inDist = path.join(packageRoot, 'dist', path.relative(path.join(packageRoot, 'src'), fromDir), relative);
  return inDist;
}
