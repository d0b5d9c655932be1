import type { RunStatus } from '../lib/trpc.ts';

/** Drawn bottom-up in this order: the outcomes first, what is still moving on top. */
const stackOrder = [
  'succeeded',
  'filtered',
  'failed',
  'canceled',
  'waiting',
  'running',
  'queued',
] as const satisfies readonly RunStatus[];

const WIDTH = 960;
const HEIGHT = 220;
const LEFT = 36;
const BOTTOM = 22;
const TOP = 8;

export interface ChartBucket {
  start: number;
  counts: Record<RunStatus, number>;
}

/** Rounds a maximum up to 1, 2 or 5 times a power of ten, so the axis reads well. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** Runs per hour as stacked bars by status: hand-made SVG, no chart library. */
export function RunsChart({
  buckets,
  bucketMs,
}: {
  buckets: readonly ChartBucket[];
  bucketMs: number;
}) {
  const totals = buckets.map((bucket) =>
    stackOrder.reduce((sum, status) => sum + bucket.counts[status], 0),
  );
  const max = niceCeiling(Math.max(0, ...totals));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, buckets.length);
  const gap = slot > 8 ? 2 : slot > 3 ? 1 : 0;
  const y = (count: number) => (count / max) * plotHeight;
  const daily = buckets.length > 48;
  const ticks = [0, max / 2, max];

  return (
    <figure
      className="chart"
      data-testid="runs-chart"
      data-total={totals.reduce((a, b) => a + b, 0)}
    >
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Runs per hour by status">
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              className="chart-grid"
              x1={LEFT}
              x2={WIDTH}
              y1={TOP + plotHeight - y(tick)}
              y2={TOP + plotHeight - y(tick)}
            />
            <text
              className="chart-axis"
              x={LEFT - 6}
              y={TOP + plotHeight - y(tick) + 4}
              textAnchor="end"
            >
              {Number.isInteger(tick) ? tick : tick.toFixed(1)}
            </text>
          </g>
        ))}
        {buckets.map((bucket, index) => {
          const x = LEFT + index * slot;
          let stacked = 0;
          const label = labelFor(bucket.start, index, daily);
          const summary = stackOrder
            .filter((status) => bucket.counts[status] > 0)
            .map((status) => `${bucket.counts[status]} ${status}`)
            .join(', ');
          return (
            <g
              key={bucket.start}
              className="chart-column"
              data-testid="chart-column"
              data-total={totals[index]}
            >
              <title>
                {`${fullFormat.format(bucket.start)} – ${hourFormat.format(bucket.start + bucketMs)}: ${summary || 'no runs'}`}
              </title>
              <rect
                className="chart-hover"
                x={x}
                y={TOP}
                width={slot}
                height={plotHeight}
                fill="transparent"
              />
              {stackOrder.map((status) => {
                const count = bucket.counts[status];
                if (count === 0) return null;
                const height = y(count);
                stacked += height;
                return (
                  <rect
                    key={status}
                    className={`chart-bar-${status}`}
                    data-status={status}
                    x={x + gap / 2}
                    y={TOP + plotHeight - stacked}
                    width={Math.max(1, slot - gap)}
                    height={height}
                  />
                );
              })}
              {label && (
                <text className="chart-axis" x={x} y={HEIGHT - 6}>
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        {stackOrder.map((status) => (
          <span key={status}>
            <i className={`chart-swatch chart-swatch-${status}`} />
            {status}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Every third hour for a day; each midnight for a week. */
function labelFor(start: number, index: number, daily: boolean): string | null {
  const date = new Date(start);
  if (daily) return date.getHours() === 0 ? dayFormat.format(date) : null;
  return index % 3 === 0 ? hourFormat.format(date) : null;
}
