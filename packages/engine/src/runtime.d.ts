/**
 * The few web-standard globals the engine uses. Browsers and Node both provide them; declaring
 * them here (instead of loading DOM or Node types) keeps the engine honest about its platform.
 */
declare global {
  interface AbortSignal {
    readonly aborted: boolean;
    readonly reason: unknown;
    throwIfAborted(): void;
    addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
    removeEventListener(type: 'abort', listener: () => void): void;
  }
  var AbortSignal: {
    prototype: AbortSignal;
    timeout(milliseconds: number): AbortSignal;
    any(signals: AbortSignal[]): AbortSignal;
    abort(reason?: unknown): AbortSignal;
  };
  interface AbortController {
    readonly signal: AbortSignal;
    abort(reason?: unknown): void;
  }
  var AbortController: { prototype: AbortController; new (): AbortController };
  function setTimeout(callback: () => void, milliseconds?: number): unknown;
  function clearTimeout(handle: unknown): void;
  function btoa(data: string): string;
  class TextEncoder {
    encode(input?: string): Uint8Array;
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean });
    decode(input?: Uint8Array): string;
  }
  class URLSearchParams {
    constructor(init?: string | Record<string, string> | [string, string][]);
    append(name: string, value: string): void;
    toString(): string;
  }
  class URL {
    constructor(url: string, base?: string);
    readonly searchParams: URLSearchParams;
    href: string;
    protocol: string;
    toString(): string;
  }
}

export {};
