import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of the web app: everything from this origin, nothing inline but
 * styles, no framing, no plugins. The built app (Vite) has no inline script; React Flow and
 * CodeMirror set element styles and inject <style> elements at run time, hence 'unsafe-inline'
 * for styles only (a style cannot run code). Images may be data: URLs (icons Vite inlines).
 */
export const contentSecurityPolicy = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'frame-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

const helmetOptions: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
  // The trigger URLs and run ids in the app's addresses are nobody else's business.
  referrerPolicy: { policy: 'no-referrer' },
  // Matches frame-ancestors 'none' for browsers that only know the older header.
  xFrameOptions: { action: 'deny' },
  // Set below, per request: only an answer that came over HTTPS may pin HTTPS.
  strictTransportSecurity: false,
};

/** What browsers are told to remember: HTTPS only for this host for a year. */
export const strictTransportSecurity = 'max-age=31536000; includeSubDomains';

/**
 * Security headers for every answer of the scope they are registered in: the web app, its API
 * and its static files. Webhook answers (/hooks) are registered outside it and stay lean: their
 * senders are programs, and a workflow may answer with a page of its own.
 *
 * HSTS is sent only on requests that arrived over HTTPS: directly (TLS_CERT_FILE) or, behind a
 * proxy named in TRUST_PROXY, with `X-Forwarded-Proto: https`.
 */
export async function registerSecurityHeaders(scope: FastifyInstance): Promise<void> {
  await scope.register(fastifyHelmet, helmetOptions);
  scope.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') {
      reply.header('strict-transport-security', strictTransportSecurity);
    }
  });
}
