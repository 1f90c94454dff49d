/**
 * @rnb/plugin-sql: SQL cells. alasql in the notebook's sandboxed kernel by
 * default, the notebook's PostgreSQL database when it has a connection string;
 * `{name}` templates bound as parameters; tables as graph edges.
 */
import { definePlugin, LanguageRegistry, type Plugin } from '@rnb/core';
import { createSqlLanguage, splitHosts, type SqlLanguage, type SqlLanguageOptions } from './language';

export { analyseSql, resultNameOf, type SqlCellMeta } from './analyser';
export { bindSql, cellOffset, lookupIn, TemplateError, type BoundStatement, type TemplateLookup } from './template';
export { createSqlLanguage, type SqlLanguage, type SqlLanguageOptions } from './language';
export { checkConnectionString, ConnectionStringError, isInternalAddress, parseConnectionString, redact } from './host/connection';
export { CONNECTION_SETTING, PgService, type PgServiceOptions } from './host/pg-service';

export type SqlPlugin = Plugin<{ languages: typeof LanguageRegistry }, {}, void>;

/**
 * The plugin. Without explicit options, `requireSafeHosts` is on when the
 * host's config has auth on (NOTEBOOK_AUTH other than "none") and the allow
 * list comes from SQL_ALLOWED_HOSTS.
 */
export default function sqlPlugin(options: SqlLanguageOptions = {}): SqlPlugin {
  let language: SqlLanguage | null = null;
  return definePlugin({
    id: '@rnb/plugin-sql:sql',
    description: 'SQL cells (alasql in the kernel, PostgreSQL through the server)',
    requires: { languages: LanguageRegistry },
    activate(context, { languages }) {
      const auth = context.config.NOTEBOOK_AUTH;
      language = createSqlLanguage({
        log: (level, message) => context.log(level, message),
        ...options,
        requireSafeHosts: options.requireSafeHosts ?? (auth !== undefined && auth !== '' && auth !== 'none'),
        allowedHosts: options.allowedHosts ?? splitHosts(context.config.SQL_ALLOWED_HOSTS),
      });
      languages.register(language);
    },
    async deactivate() {
      await language?.close();
      language = null;
    },
  });
}
