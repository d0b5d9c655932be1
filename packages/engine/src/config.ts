import { CredentialError, isCredentialRef } from './credentials.ts';
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

/** Gives what a credential reference becomes; throws CredentialError when it cannot. */
export type CredentialLookup = (id: string) => unknown;

/** A config whose templates are compiled once and resolved per run. */
export interface CompiledConfig {
  templates: readonly ConfigTemplate[];
  /** The credential references in the config, with their fields. */
  credentials: readonly { field: string; path: readonly PropertyKey[]; id: string }[];
  /** True when nothing in the config depends on the run (no template, no credential). */
  isStatic: boolean;
  resolve(context: unknown, credential?: CredentialLookup): Promise<unknown>;
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

type Resolver = (context: unknown, credential: CredentialLookup | undefined) => Promise<unknown>;

/**
 * Compiles every template in a config. Strings under `literalFields` are kept as written.
 * Credential references (`{ "$credential": id }`) anywhere, literal fields included, are
 * replaced by what `credential` gives when the config is resolved.
 * Throws ConfigExpressionError for the first template that does not compile.
 */
export function compileConfig(
  config: Record<string, unknown>,
  literalFields: readonly string[] = [],
  limits: ExpressionLimits = defaultExpressionLimits,
): CompiledConfig {
  const templates: ConfigTemplate[] = [];
  const credentials: { field: string; path: readonly PropertyKey[]; id: string }[] = [];
  const literal = new Set(literalFields);

  const compileValue = (
    value: unknown,
    path: PropertyKey[],
    isLiteral: boolean,
  ): Resolver | null => {
    if (isCredentialRef(value)) {
      const field = formatPath(path);
      const id = value.$credential;
      credentials.push({ field, path, id });
      return async (_context, credential) => {
        if (!credential) {
          throw new CredentialError(
            `${field}: credential ${id} cannot be used here: no credential store was given`,
            field,
          );
        }
        try {
          return credential(id);
        } catch (error) {
          if (error instanceof CredentialError) {
            throw new CredentialError(`${field}: ${error.message}`, field);
          }
          throw error;
        }
      };
    }
    if (typeof value === 'string') {
      if (isLiteral || !hasExpression(value)) return null;
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
      const items = value.map((item, index) => compileValue(item, [...path, index], isLiteral));
      if (items.every((item) => item === null)) return null;
      return async (context, credential) => {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
          const resolver = items[i];
          out.push(resolver ? await resolver(context, credential) : value[i]);
        }
        return out;
      };
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).map(([key, child]) => {
        const childLiteral = isLiteral || (path.length === 0 && literal.has(key));
        return [key, child, compileValue(child, [...path, key], childLiteral)] as const;
      });
      if (entries.every(([, , resolver]) => resolver === null)) return null;
      return async (context, credential) => {
        const out: Record<string, unknown> = {};
        for (const [key, child, resolver] of entries) {
          out[key] = resolver ? await resolver(context, credential) : child;
        }
        return out;
      };
    }
    return null;
  };

  const resolver = compileValue(config, [], false);
  return {
    templates,
    credentials,
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
