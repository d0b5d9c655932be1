import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  ExpressionError,
  referencedStepKeys,
  splitTemplate,
  stringifyForText,
} from './expressions.ts';

const context = {
  trigger: { body: { hello: 'world', count: 3, items: [{ sku: 'A' }, { sku: 'B' }] } },
  steps: { filter_1: { ok: true } },
};

describe('templates', () => {
  it('keeps the type of a field that is exactly one expression', async () => {
    expect(await compileTemplate('{{ trigger.body.count }}').evaluate(context)).toBe(3);
    expect(await compileTemplate('  {{ trigger.body.items }} ').evaluate(context)).toEqual([
      { sku: 'A' },
      { sku: 'B' },
    ]);
    expect(await compileTemplate('{{ steps.filter_1.ok }}').evaluate(context)).toBe(true);
  });

  it('interpolates mixed text, writing objects as JSON and nothing as nothing', async () => {
    expect(await compileTemplate('Hello {{ trigger.body.hello }}!').evaluate(context)).toBe(
      'Hello world!',
    );
    expect(
      await compileTemplate('n={{ trigger.body.count }} x={{ trigger.body.missing }}').evaluate(
        context,
      ),
    ).toBe('n=3 x=');
    expect(await compileTemplate('{{ trigger.body.items[0] }} and {{1}}').evaluate(context)).toBe(
      '{"sku":"A"} and 1',
    );
  });

  it('finds the closing braces past JSONata objects and strings', () => {
    expect(splitTemplate('{{ {"a": {"b": 1}} }}')).toEqual([
      { kind: 'expression', source: ' {"a": {"b": 1}} ', offset: 2 },
    ]);
    expect(splitTemplate('a {{ "}}" }} b')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'expression', source: ' "}}" ', offset: 4 },
      { kind: 'text', text: ' b' },
    ]);
  });

  it('evaluates object constructors to values', async () => {
    expect(
      await compileTemplate('{{ {"a": {"b": trigger.body.count}} }}').evaluate(context),
    ).toEqual({
      a: { b: 3 },
    });
  });

  it('reports syntax errors with their position in the field', () => {
    const attempt = () => compileTemplate('Hi {{ trigger.body. }}');
    expect(attempt).toThrow(ExpressionError);
    try {
      attempt();
    } catch (error) {
      expect((error as ExpressionError).position).toBeGreaterThanOrEqual(5);
    }
    expect(() => compileTemplate('Hi {{ trigger')).toThrow(/never closed/);
    expect(() => compileTemplate('{{ }}')).toThrow(/empty/);
  });

  it('never evaluates text that arrives as data', async () => {
    const payload = { trigger: { body: { text: '{{ $pad("", 10, "x") }}' } } };
    expect(await compileTemplate('{{ trigger.body.text }}').evaluate(payload)).toBe(
      '{{ $pad("", 10, "x") }}',
    );
    expect(await compileTemplate('got: {{ trigger.body.text }}').evaluate(payload)).toBe(
      'got: {{ $pad("", 10, "x") }}',
    );
  });

  it('lists the steps an expression reads', () => {
    const template = compileTemplate('{{ steps.filter_1.ok and steps.http_2.status = 200 }}');
    const keys = new Set(template.expressions.flatMap((e) => [...referencedStepKeys(e.ast)]));
    expect([...keys].sort()).toEqual(['filter_1', 'http_2']);
  });
});

describe('compiled templates are kept', () => {
  const tight = { timeoutMs: 5, maxDepth: 50, maxSequence: 1000, maxResultChars: 1000 };

  it('compiles a text once per set of limits', () => {
    const text = '{{ trigger.body.hello & "-" & $string(trigger.body.count) }}';
    expect(compileTemplate(text)).toBe(compileTemplate(text));
    expect(compileTemplate(text, tight)).toBe(compileTemplate(text, { ...tight }));
    expect(compileTemplate(text, tight)).not.toBe(compileTemplate(text));
  });

  it('serves every caller: evaluations of one compiled template stay independent', async () => {
    const template = compileTemplate('{{ $sum(trigger.body.items.n) }}');
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        template.evaluate({ trigger: { body: { items: [{ n }, { n: n * 10 }] } } }),
      ),
    );
    expect(results).toEqual([11, 22, 33]);
    // A run that hits its limit leaves the next one its whole budget.
    const loop = compileTemplate(
      '{{ ($f := function($n) { $n > 0 ? $f($n - 1) : 0 }; $f(x)) }}',
      tight,
    );
    await expect(loop.evaluate({ x: 10_000 })).rejects.toThrow(ExpressionError);
    expect(await loop.evaluate({ x: 3 })).toBe(0);
  });

  it('throws for a text that does not compile, every time', () => {
    expect(() => compileTemplate('{{ trigger.body. }}')).toThrow(ExpressionError);
    expect(() => compileTemplate('{{ trigger.body. }}')).toThrow(ExpressionError);
  });
});

describe('bounded evaluation', () => {
  it('refuses a huge range', async () => {
    await expect(compileTemplate('{{ [1..1e9] }}').evaluate({})).rejects.toThrow(ExpressionError);
  });

  it('refuses a huge result', async () => {
    await expect(compileTemplate('{{ $pad("", 2e7, "x") }}').evaluate({})).rejects.toThrow(
      /larger than/,
    );
  });

  it('stops infinite recursion', async () => {
    const template = compileTemplate('{{ ($f := function($n) { $f($n + 1) }; $f(0)) }}');
    await expect(template.evaluate({})).rejects.toThrow(ExpressionError);
  });

  it('stops a loop that runs too long', async () => {
    const template = compileTemplate(
      '{{ ($loop := function($n) { $n > 0 ? $loop($n - 1) : 0 }; $sum([1..200].($loop(200)))) }}',
      { timeoutMs: 5, maxDepth: 10_000, maxSequence: 100_000, maxResultChars: 1000 },
    );
    await expect(template.evaluate({})).rejects.toThrow(/longer than 5 ms|deeper/);
  });
});

describe('properties', () => {
  it('any payload value is returned unchanged by a path expression', async () => {
    const template = compileTemplate('{{ trigger.body.value }}');
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const result = await template.evaluate({ trigger: { body: { value } } });
        // JSONata treats an empty array like nothing and unwraps singletons in paths.
        if (Array.isArray(value)) return;
        expect(result).toEqual(value === null ? null : value);
      }),
      { numRuns: 200 },
    );
  });

  it('any string in text interpolation comes back verbatim', async () => {
    const template = compileTemplate('[{{ trigger.body.s }}]');
    await fc.assert(
      fc.asyncProperty(fc.string(), async (s) => {
        expect(await template.evaluate({ trigger: { body: { s } } })).toBe(`[${s}]`);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary template text never crashes: it compiles or throws ExpressionError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          compileTemplate(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stringifyForText writes scalars plainly and structures as JSON', () => {
    expect(stringifyForText(undefined)).toBe('');
    expect(stringifyForText(false)).toBe('false');
    expect(stringifyForText({ a: 1 })).toBe('{"a":1}');
  });
});

describe('regular expressions in expressions', () => {
  it('match, replace and split as JSONata documents', async () => {
    const ctx = { trigger: { body: { ref: 'refs/heads/main', text: 'a1b22c333' } } };
    expect(
      await compileTemplate('{{ $contains(trigger.body.ref, /heads\\/ma/) }}').evaluate(ctx),
    ).toBe(true);
    expect(
      await compileTemplate('{{ $replace(trigger.body.text, /[0-9]+/, "#") }}').evaluate(ctx),
    ).toBe('a#b#c#');
    expect(
      await compileTemplate('{{ $match(trigger.body.text, /([a-z])([0-9]+)/).match }}').evaluate(
        ctx,
      ),
    ).toEqual(['a1', 'b22', 'c333']);
    expect(await compileTemplate('{{ $contains("MAIN", /main/i) }}').evaluate(ctx)).toBe(true);
  });

  it('cannot backtrack catastrophically', async () => {
    const input = `${'a'.repeat(5000)}!`;
    const template = compileTemplate('{{ $contains(trigger.body.s, /(a+)+$/) }}');
    expect(await template.evaluate({ trigger: { body: { s: input } } })).toBe(false);
  });

  it('refuses backreferences with a clear message', async () => {
    await expect(compileTemplate('{{ $contains("aa", /(a)\\1/) }}').evaluate({})).rejects.toThrow(
      /not supported/,
    );
  });
});

describe('the field-path fast path', () => {
  it('agrees with JSONata on any data', async () => {
    const { default: jsonata } = await import('jsonata');
    const paths = ['a', 'a.b', 'a.b.c', 'trigger.body.x'];
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(...paths), async (data, path) => {
        const context = { a: data, trigger: { body: data } };
        const fast = await compileTemplate(`{{ ${path} }}`).evaluate(context);
        const reference = await jsonata(path).evaluate(context);
        expect(JSON.stringify(fast)).toEqual(JSON.stringify(reference));
      }),
      { numRuns: 300 },
    );
  });
});
