import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A sign-in plugin written for the tests, as a third party would (NOTEBOOK_AUTH=<its folder>): each bearer token in
 * `users` is that user, anything else is refused. With it the host is multi-user (public apps, viewers told apart)
 * while the page stays the plain one (no Clerk): it sends no token, so in an app it is an anonymous visitor.
 */
export function writeBearerAuthPlugin(dir: string, users: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `const { AuthProvider, definePlugin, UnauthorizedError } = require(${JSON.stringify(require.resolve('@rnb/core'))});
const USERS = ${JSON.stringify(users)};
module.exports = () => definePlugin({
  id: 'e2e:bearer-auth',
  description: 'Fixed bearer tokens (tests only)',
  provides: AuthProvider,
  activate: () => ({
    id: 'e2e-bearer',
    requiresToken: true,
    async authenticate(token) {
      if (typeof token === 'string' && Object.prototype.hasOwnProperty.call(USERS, token)) return { userId: USERS[token] };
      throw new UnauthorizedError();
    },
  }),
});
`,
  );
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'e2e-bearer-auth', main: 'index.js' }));
  return dir;
}
