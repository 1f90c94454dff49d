import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * "Shout", a language plugin written here, as a third party would write one from the README: a
 * folder with a CommonJS plugin (analyser + language definition), a runtime module for the
 * kernel, and an ES browser module for the page. Lines `name = text` define `name`; `{name}`
 * reads a value; every other line is upper-cased and shown through the plugin's own MIME type.
 */
export const SHOUT_MIME = 'application/x-shout+json';

const PLUGIN = (corePath: string): string => `
const path = require('node:path');
const { definePlugin, LanguageRegistry } = require(${JSON.stringify(corePath)});

const DEFINITION = /^\\s*([A-Za-z_]\\w*)\\s*=\\s*(.*)$/;
const NAME = /\\{([A-Za-z_]\\w*)\\}/g;

function analyse(code) {
  const defines = [];
  const references = new Set();
  for (const line of code.split('\\n')) {
    const definition = DEFINITION.exec(line);
    for (const match of (definition ? definition[2] : line).matchAll(NAME)) {
      if (!defines.includes(match[1])) references.add(match[1]);
    }
    if (definition && !defines.includes(definition[1])) defines.push(definition[1]);
  }
  return { defines, references: [...references] };
}

module.exports = function shoutPlugin() {
  return definePlugin({
    id: 'shout-test:shout',
    requires: { languages: LanguageRegistry },
    activate(_context, { languages }) {
      languages.register({
        id: 'shout',
        displayName: 'Shout',
        fileExtension: '.shout',
        browserModule: path.join(__dirname, 'browser.js'),
        analyse,
        runtime: { module: path.join(__dirname, 'runtime.js'), readPaths: [__dirname] },
      });
    },
  });
};
`;

const RUNTIME = `
module.exports = function shoutRuntime(context) {
  const value = (name) => {
    if (!context.namespace.has(name)) throw Object.assign(new Error("name '" + name + "' is not defined"), { name: 'NameError' });
    return String(context.namespace.get(name));
  };
  return {
    run(cell, io) {
      const shouted = [];
      for (const line of cell.code.split('\\n')) {
        const definition = /^\\s*([A-Za-z_]\\w*)\\s*=\\s*(.*)$/.exec(line);
        const text = (definition ? definition[2] : line).replace(/\\{([A-Za-z_]\\w*)\\}/g, (_m, name) => value(name)).toUpperCase();
        if (definition) context.namespace.set(definition[1], text, context.language);
        else if (text.trim() !== '') shouted.push(text);
      }
      if (shouted.length > 0) io.output({ mime_type: ${JSON.stringify(SHOUT_MIME)}, data: { text: shouted.join('\\n'), volume: shouted.length } });
    },
    deleteNames(names) {
      for (const name of names) context.namespace.delete(name);
    },
  };
};
`;

const BROWSER = `
// Needs no bundler: CodeMirror comes from the page, through api.codemirror.
export function activate(api) {
  const { StreamLanguage, HighlightStyle, syntaxHighlighting } = api.codemirror.language;
  const { Tag } = api.codemirror.highlight;
  const nameTag = Tag.define();
  const definedTag = Tag.define();
  const mode = StreamLanguage.define({
    name: 'shout',
    startState: () => ({}),
    token(stream) {
      if (stream.sol() && stream.match(/^[A-Za-z_]\\w*(?=\\s*=)/)) return 'shoutDefined';
      if (stream.match(/^\\{[A-Za-z_]\\w*\\}/)) return 'shoutName';
      stream.next();
      return null;
    },
    tokenTable: { shoutName: nameTag, shoutDefined: definedTag },
  });
  const style = HighlightStyle.define([
    { tag: nameTag, class: 'shout-name' },
    { tag: definedTag, class: 'shout-defined' },
  ]);
  api.registerEditorLanguage(api.languageId, () => [mode, syntaxHighlighting(style)]);
  api.registerRenderer({
    mimeTypes: [${JSON.stringify(SHOUT_MIME)}],
    rank: 50,
    canRender: (output) => output.data !== null && typeof output.data === 'object' && typeof output.data.text === 'string',
    render(output, element) {
      const line = document.createElement('p');
      line.className = 'shout-output';
      line.textContent = '📣 ' + output.data.text + ' (volume ' + output.data.volume + ')';
      element.append(line);
    },
  });
}
`;

/** Writes the plugin into `dir` (a folder NOTEBOOK_PLUGINS can name) and returns that folder. */
export function writeShoutPlugin(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.js'), PLUGIN(require.resolve('@rnb/core')));
  fs.writeFileSync(path.join(dir, 'runtime.js'), RUNTIME);
  fs.writeFileSync(path.join(dir, 'browser.js'), BROWSER);
  return dir;
}
