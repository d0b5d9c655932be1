import { RE2JS } from 're2js';

/**
 * A RegExp look-alike backed by RE2 (re2js): matching takes time linear in the input, so no
 * user-written pattern can stall the process with catastrophic backtracking. Syntax that needs
 * backtracking (backreferences, lookaround) is refused with a clear message.
 */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly compiled: RE2JS;

  constructor(pattern: RegExp | string, flags = '') {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = typeof pattern === 'string' ? flags : pattern.flags;
    this.compiled = compileCached(this.source, this.flags);
  }

  /** Like RegExp.prototype.exec with the `g` flag: searches from `lastIndex` and advances it. */
  exec(input: string): (string[] & { index: number; input: string }) | null {
    const matcher = this.compiled.matcher(input);
    if (this.lastIndex > input.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: string[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? '');
    this.lastIndex = matcher.end();
    return Object.assign(groups, { index: matcher.start(), input });
  }

  test(input: string): boolean {
    this.lastIndex = 0;
    const found = this.exec(input) !== null;
    this.lastIndex = 0;
    return found;
  }
}

export class UnsupportedRegexError extends Error {
  override readonly name = 'UnsupportedRegexError';
  readonly code = 'REGEX';
}

const cache = new Map<string, RE2JS>();

function compileCached(source: string, flags: string): RE2JS {
  const key = `${flags}/${source}`;
  let compiled = cache.get(key);
  if (!compiled) {
    let re2Flags = 0;
    if (flags.includes('i')) re2Flags |= RE2JS.CASE_INSENSITIVE;
    if (flags.includes('m')) re2Flags |= RE2JS.MULTILINE;
    if (flags.includes('s')) re2Flags |= RE2JS.DOTALL;
    try {
      compiled = RE2JS.compile(RE2JS.translateRegExp(source), re2Flags);
    } catch (error) {
      throw new UnsupportedRegexError(
        `the regular expression /${source}/ is not supported: ${(error as Error).message}. ` +
          'Backreferences and lookaround are not allowed, since they can take exponential time.',
      );
    }
    if (cache.size >= 1000) cache.clear();
    cache.set(key, compiled);
  }
  return compiled;
}
