import { describe, expect, it } from 'vitest';
import type { EditorNode } from './graph.ts';
import { nodeShapes, overviewBox, viewedRect } from './overview-map.tsx';

function node(id: string, x: number, y: number, extra: Partial<EditorNode> = {}): EditorNode {
  return {
    id,
    type: 'workflow-node',
    position: { x, y },
    data: { key: id, type: 'transform', name: id, config: {} },
    measured: { width: 200, height: 80 },
    ...extra,
  };
}

const at = (node: EditorNode) => node.position;
/** The rounded rectangles of a path, by their starting points (one `M` each). */
const starts = (path: string) =>
  [...path.matchAll(/M(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('nodeShapes', () => {
  it('draws each sized node once, the selected ones apart, and bounds them all', () => {
    const shapes = nodeShapes(
      [node('a', 0, 0), node('b', 300, -50, { selected: true }), node('c', 600, 400)],
      at,
    );
    // A rounded rectangle starts after its corner: x + 6.
    expect(starts(shapes.cards)).toEqual([
      [6, 0],
      [606, 400],
    ]);
    expect(starts(shapes.selected)).toEqual([[306, -50]]);
    expect(shapes.bounds).toEqual({ x: 0, y: -50, width: 800, height: 530 });
  });

  it('falls back to the guessed size, and leaves out hidden nodes and nodes of no size', () => {
    const shapes = nodeShapes(
      [
        node('guessed', 0, 0, { measured: undefined, initialWidth: 100, initialHeight: 40 }),
        node('hidden', 900, 900, { hidden: true }),
        node('unsized', -500, -500, { measured: undefined }),
      ],
      at,
    );
    expect(starts(shapes.cards)).toEqual([[6, 0]]);
    expect(shapes.bounds).toEqual({ x: 0, y: 0, width: 100, height: 40 });
  });

  it('uses the position it is given (React Flow knows the absolute one)', () => {
    const shapes = nodeShapes([node('a', 0, 0)], () => ({ x: 1000, y: 2000 }));
    expect(shapes.bounds).toEqual({ x: 1000, y: 2000, width: 200, height: 80 });
  });

  it('has no bounds and draws nothing without nodes', () => {
    expect(nodeShapes([], at)).toEqual({ cards: '', selected: '', bounds: null });
  });
});

describe('the overview box', () => {
  it('turns the canvas view into the part of the workflow in view', () => {
    // Moved 100 px right and 50 px down at half size: the view starts left of and above 0.
    expect(viewedRect([100, 50, 0.5], 800, 600)).toEqual({
      x: -200,
      y: -100,
      width: 1600,
      height: 1200,
    });
  });

  it('frames the nodes and the view in the overview proportions, centred, with a margin', () => {
    const nodes = { x: 0, y: 0, width: 3800, height: 1000 };
    const viewed = { x: 0, y: 0, width: 1000, height: 1000 };
    const box = overviewBox(nodes, viewed);
    // 3800 wide into 190 px (200 less 5 px of margin on each side): 20 units a pixel.
    expect(box.scale).toBe(20);
    expect(box.width).toBe(4000);
    expect(box.height).toBe(3000);
    // The overview's own proportions (200 × 150), so that the SVG draws it unscaled.
    expect(box.width / box.height).toBe(200 / 150);
    expect(box.width / box.scale).toBe(200);
    // Centred on the middle of what it frames, the margin 5 px at the widest side.
    expect(box.x + box.width / 2).toBe(1900);
    expect(box.y + box.height / 2).toBe(500);
    expect(box.x).toBe(-5 * 20);
  });

  it('keeps its proportions when the view is the tall side', () => {
    const box = overviewBox(
      { x: 0, y: 0, width: 100, height: 100 },
      { x: 0, y: -2000, width: 300, height: 4000 },
    );
    expect(box.width / box.height).toBeCloseTo(200 / 150, 10);
    expect(box.height / box.scale).toBeCloseTo(150, 10);
    expect(box.y).toBeCloseTo(-2000 - 5 * box.scale, 8);
  });

  it('takes in a view that reaches past the nodes', () => {
    const box = overviewBox(
      { x: 0, y: 0, width: 100, height: 100 },
      { x: -3000, y: 0, width: 1000, height: 750 },
    );
    expect(box.x).toBeLessThanOrEqual(-3000);
    expect(box.x + box.width).toBeGreaterThanOrEqual(100);
  });

  it('frames only the view when there are no nodes', () => {
    const box = overviewBox(null, { x: 10, y: 20, width: 190, height: 140 });
    expect(box.scale).toBe(1);
    expect(box.x + box.width / 2).toBe(105);
  });
});
