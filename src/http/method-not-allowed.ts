import type { FastifyInstance } from 'fastify';

/**
 * FastAPI answers a path it serves, called with a method it does not, with 405 and an `Allow`
 * header rather than 404, so clients can tell a wrong verb from a missing thing. Fastify only
 * knows "no route": this keeps every route's path pattern (register it before the routes) and
 * tells the not-found handler which methods the requested path does have.
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    // CORS answers OPTIONS on every path: a preflight, not a method of the resource.
    const methods = [route.method].flat().filter((m) => m !== 'OPTIONS');
    if (methods.length === 0) return;
    const source = route.url
      .replace(/\/+$/, '')
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}/?$`), methods });
  });
  return (path) => {
    const bare = path.split('?')[0];
    return [...new Set(routes.filter((r) => r.pattern.test(bare)).flatMap((r) => r.methods))].sort();
  };
}
