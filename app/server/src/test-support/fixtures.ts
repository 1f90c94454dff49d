import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository's core package folder: fixture packages load its compiled dist by path. */
export const CORE_DIR = path.resolve(__dirname, '../../../../core');

/**
 * A temporary project folder with third-party plugin packages installed in
 * its node_modules, written as plain JavaScript like a published package.
 */
export function pluginProject(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-plugins-'));
  const core = JSON.stringify(path.join(CORE_DIR, 'dist', 'index.js'));
  const testing = JSON.stringify(path.join(CORE_DIR, 'dist', 'testing', 'index.js'));
  const write = (name: string, source: string): void => {
    const folder = path.join(dir, 'node_modules', name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
    fs.writeFileSync(path.join(folder, 'index.js'), source);
  };
  write('rnb-test-storage', `
const core = require(${core});
module.exports = function memoryStoragePlugin() {
  return core.definePlugin({ id: 'rnb-test-storage:store', provides: core.NotebookStore, activate: () => new core.MemoryNotebookStore() });
};`);
  write('rnb-test-fake', `
const core = require(${core});
const { fakeLanguage } = require(${testing});
module.exports.default = () => core.definePlugin({
  id: 'rnb-test-fake:language',
  requires: { languages: core.LanguageRegistry },
  activate: (context, { languages }) => languages.register(fakeLanguage()),
});`);
  write('rnb-test-greeter', `
module.exports = (options = {}) => ({ id: 'rnb-test-greeter:greeter', activate(context) { context.log('info', 'greeter active', { greeting: options.greeting || context.config.GREETING || 'none' }); } });`);
  write('rnb-test-plain-plugin', `
module.exports = { id: 'rnb-test-plain-plugin:plain', activate() {} };`);
  write('rnb-not-a-plugin', 'module.exports = { hello: 1 };');
  write('rnb-broken', 'throw new Error("cannot load me");');
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
