import type { CorsOptions } from 'cors';

/**
 * `http://localhost:*` allows that scheme and host on any port (or none); anything else is an
 * exact origin. Matching is on the whole origin, so `http://localhost.evil.example` is not
 * `http://localhost:*`.
 */
function originMatcher(pattern: string): (origin: string) => boolean {
  if (pattern.endsWith(':*')) {
    const base = pattern.slice(0, -2);
    return (origin) => origin === base || (origin.startsWith(`${base}:`) && /^\d{1,5}$/.test(origin.slice(base.length + 1)));
  }
  return (origin) => origin === pattern;
}

/**
 * CORS for the allowed origins (CORS_ORIGINS). Other origins get no Access-Control-* headers,
 * and Apollo Server's CSRF protection still refuses their simple requests; a request without
 * an Origin (a mobile app, curl, a server) is not a browser's cross-origin call and passes.
 */
export function corsOptions(allowedOrigins: readonly string[]): CorsOptions {
  const matchers = allowedOrigins.map(originMatcher);
  return {
    origin(origin, callback) {
      callback(null, origin !== undefined && matchers.some((matches) => matches(origin)));
    },
    methods: ['GET', 'POST', 'OPTIONS'],
    // Apollo's CSRF headers, so that a browser app may send them as well.
    // x-request-id: an app may name its own requests; it reads the id back to quote it in a bug report.
    allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
    exposedHeaders: ['retry-after', 'x-request-id'],
    // Tokens travel in Authorization, never in cookies.
    credentials: false,
    // 10 min: browsers cap it there (Chromium 2 h, Firefox 24 h) and it spares a preflight per request.
    maxAge: 600,
  };
}
