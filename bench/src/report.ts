import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export type Row = { benchmark: string } & Record<string, string | number>;

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export function machine() {
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    // Other work on a shared machine moves every figure; this says how busy it was.
    loadAverage15m: Math.round(loadavg()[2]! * 10) / 10,
  };
}

function columns(rows: Row[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  return [...names];
}

const show = (value: string | number | undefined) =>
  value === undefined
    ? ''
    : typeof value === 'number'
      ? Number.isNaN(value)
        ? 'n/a'
        : value.toLocaleString('en-US')
      : value;

/** Prints one table and writes it as JSON and Markdown under bench/results/. */
export function report(rows: Row[], notes: string[] = []): void {
  const names = columns(rows);
  const cells = rows.map((row) => names.map((name) => show(row[name])));
  const widths = names.map((name, i) =>
    Math.max(name.length, ...cells.map((c) => String(c[i]).length)),
  );
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(names)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c.map(String)));
  for (const note of notes) console.log(note);

  const info = machine();
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    `${resultsDir}latest.json`,
    `${JSON.stringify({ machine: info, rows, notes }, null, 2)}\n`,
  );
  const markdown = [
    `Measured ${info.date} on ${info.cpu}, ${info.memoryGiB} GiB, Node ${info.node}; load average (15 min) ${info.loadAverage15m}.`,
    '',
    `| ${names.join(' | ')} |`,
    `| ${names.map(() => '---').join(' | ')} |`,
    ...cells.map((c) => `| ${c.join(' | ')} |`),
    '',
    ...notes,
  ].join('\n');
  writeFileSync(`${resultsDir}latest.md`, `${markdown}\n`);
  console.log(`\nwritten: bench/results/latest.json, bench/results/latest.md`);
}
