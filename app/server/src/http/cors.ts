import cors from '@koa/cors';
import type Koa from 'koa';

/** `middleware` for the paths under `pathPrefix` (and itself) only. */
export function scoped(pathPrefix: string, middleware: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => (ctx.path === pathPrefix || ctx.path.startsWith(`${pathPrefix}/`) ? middleware(ctx, next) : next());
}

/** CORS for the API: the listed browser origins (`*`: any) may call it with a bearer token. */
export function corsMiddleware(origins: string[]): Koa.Middleware {
  const any = origins.includes('*');
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('origin');
      return any || origins.includes(origin) ? origin : '';
    },
    allowHeaders: ['Authorization', 'Content-Type'],
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    maxAge: 600,
  });
}
