import { type CompiledExpression, compileExpression } from '@hookflow/engine';
import type { WebhookTriggerConfig } from '@hookflow/nodes';

/** Headers that senders use for a delivery id, in the order they are looked for. */
export const deliveryIdHeaders = [
  'x-github-delivery',
  'webhook-id',
  'svix-id',
  'x-shopify-webhook-id',
  'idempotency-key',
];

const compiled = new Map<string, CompiledExpression>();

/** The request's delivery id under the trigger's dedupe setting, or null when it has none. */
export async function deliveryId(
  settings: WebhookTriggerConfig,
  request: { headers: Record<string, string>; query: unknown; body: unknown },
): Promise<string | null> {
  switch (settings.dedupe) {
    case 'off':
      return null;
    case 'auto': {
      for (const name of deliveryIdHeaders) {
        const value = request.headers[name];
        if (value) return `${name}:${value}`;
      }
      return null;
    }
    case 'header': {
      const value = request.headers[settings.dedupeHeader.toLowerCase()];
      return value ? value : null;
    }
    case 'expression': {
      if (settings.dedupeExpression.trim() === '') return null;
      let expression = compiled.get(settings.dedupeExpression);
      if (!expression) {
        expression = compileExpression(settings.dedupeExpression);
        if (compiled.size > 1000) compiled.clear();
        compiled.set(settings.dedupeExpression, expression);
      }
      const value = await expression.evaluate(request).catch(() => undefined);
      if (value === undefined || value === null || value === '') return null;
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}
