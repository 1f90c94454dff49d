import * as path from 'node:path';
import type { LanguageDefinition } from '@rnb/core';
import { analysePython } from './analyser';
import { PACKAGES_SETTING } from './packages-setting';

/** The package folder (this file is src/language-base.ts under tests, dist/language-base.js at run time). */
const PACKAGE_ROOT = path.resolve(__dirname, '..');

/** The analyser as core's analysis workers load it: the built JavaScript, off the server's event loop. */
export const PYTHON_ANALYSER_MODULE = path.join(PACKAGE_ROOT, 'dist', 'analyser', 'index.js');

/**
 * What Python is whichever runtime runs it (Pyodide or native CPython): its name, its editor mode, its analyser (in the
 * analysis workers, so pathological code never stalls the server), its private names and its settings. Each runtime
 * adds only its `runtime` (and host services). One place, so the two can never disagree on what the page and the
 * graph see: a native deployment once listed Python without its editor mode, and its cells had no highlighting,
 * indentation or closing quotes.
 */
export const PYTHON_LANGUAGE: Omit<LanguageDefinition, 'runtime'> = {
  id: 'python',
  displayName: 'Python',
  fileExtension: '.py',
  editor: { mode: 'python' },
  analyse: analysePython,
  analyser: { module: PYTHON_ANALYSER_MODULE, export: 'analysePython' },
  // `_x` is private to its cell (marimo's rule, see isPrivateName).
  privateNamePrefix: '_',
  settings: [PACKAGES_SETTING],
};
