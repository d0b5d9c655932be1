import {
  type CompiledTemplate,
  compileTemplate,
  defaultExpressionLimits,
  ExpressionError,
  type ExpressionLimits,
  hasExpression,
} from './expressions.ts';
import { formatPath } from './workflow.ts';

/** One template found in a node's config, with the field it sits in. */
export interface ConfigTemplate {
  field: string;
  template: CompiledTemplate;
}

/** A config whose templates are compiled once and resolved per run. */
export interface CompiledConfig {
  templates: readonly ConfigTemplate[];
  /** True when nothing in the config depends on the run. */
  isStatic: boolean;
  resolve(context: unknown): Promise<unknown>;
}

/** A template that does not compile, found while compiling a config. */
export class ConfigExpressionError extends Error {
  override readonly name = 'ConfigExpressionError';
  constructor(
    readonly field: string,
    readonly expressionError: ExpressionError,
  ) {
    super(`${field}: ${expressionError.message} (at character ${expressionError.position + 1})`);
  }
}

/** A template that failed while resolving a config: it knows its field. */
export class ConfigResolveError extends Error {
  override readonly name = 'ConfigResolveError';
  constructor(
    readonly field: string,
    readonly expressionError: ExpressionError,
  ) {
    super(`${field}: ${expressionError.message} (at character ${expressionError.position + 1})`);
  }
}

type Resolver = (context: unknown) => Promise<unknown>;

/**
 * Compiles every template in a config. Strings under `literalFields` are kept as written.
 * Throws ConfigExpressionError for the first template that does not compile.
 */
export function compileConfig(
  config: Record<string, unknown>,
  literalFields: readonly string[] = [],
  limits: ExpressionLimits = defaultExpressionLimits,
): CompiledConfig {
  const templates: ConfigTemplate[] = [];
  const literal = new Set(literalFields);

  const compileValue = (value: unknown, path: PropertyKey[]): Resolver | null => {
    if (typeof value === 'string') {
      if (!hasExpression(value)) return null;
      const field = formatPath(path);
      let template: CompiledTemplate;
      try {
        template = compileTemplate(value, limits);
      } catch (error) {
        if (error instanceof ExpressionError) throw new ConfigExpressionError(field, error);
        throw error;
      }
      templates.push({ field, template });
      return async (context) => {
        try {
          return await template.evaluate(context);
        } catch (error) {
          if (error instanceof ExpressionError) throw new ConfigResolveError(field, error);
          throw error;
        }
      };
    }
    if (Array.isArray(value)) {
      const items = value.map((item, index) => compileValue(item, [...path, index]));
      if (items.every((item) => item === null)) return null;
      return async (context) => {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
          const resolver = items[i];
          out.push(resolver ? await resolver(context) : value[i]);
        }
        return out;
      };
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).map(([key, child]) => {
        const skip = path.length === 0 && literal.has(key);
        return [key, child, skip ? null : compileValue(child, [...path, key])] as const;
      });
      if (entries.every(([, , resolver]) => resolver === null)) return null;
      return async (context) => {
        const out: Record<string, unknown> = {};
        for (const [key, child, resolver] of entries) {
          out[key] = resolver ? await resolver(context) : child;
        }
        return out;
      };
    }
    return null;
  };

  const resolver = compileValue(config, []);
  return {
    templates,
    isStatic: resolver === null,
    resolve: resolver ?? (async () => config),
  };
}

/** True when the value at `path` in a config (or any value above it) is a template. */
export function hasExpressionAt(config: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = config;
  for (const part of path) {
    if (typeof value === 'string') return hasExpression(value);
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return typeof value === 'string' && hasExpression(value);
}
