import { Panel, type ReactFlowState, useReactFlow, useStore, useStoreApi } from '@xyflow/react';
import { type PointerEvent, useEffect, useMemo, useRef } from 'react';
import { shallow } from 'zustand/shallow';
import type { EditorEdge, EditorNode } from './graph.ts';

/** The overview's size on screen, in pixels. */
const SIZE = { width: 200, height: 150 };
/** Room around the drawing, in overview pixels. */
const MARGIN = 5;
const CORNER = 6;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the overview draws of the nodes: one outline for the cards, one for the selected ones. */
export interface NodeShapes {
  cards: string;
  selected: string;
  /** Around every node; null when there is none. */
  bounds: Rect | null;
}

/**
 * The nodes as two SVG paths (a rounded rectangle each) and the rectangle around them. One path
 * rather than an element per node: React Flow's minimap keeps a component and a store
 * subscription per node, which for a workflow of hundreds of nodes cost more than its cards in
 * view on every change of the canvas. A node with no size yet is left out.
 */
export function nodeShapes(
  nodes: readonly EditorNode[],
  positionOf: (node: EditorNode) => { x: number; y: number },
): NodeShapes {
  let cards = '';
  let selected = '';
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (const node of nodes) {
    const width = node.measured?.width ?? node.width ?? node.initialWidth ?? 0;
    const height = node.measured?.height ?? node.height ?? node.initialHeight ?? 0;
    if (node.hidden || width <= 0 || height <= 0) continue;
    const { x, y } = positionOf(node);
    const shape = roundedRect(x, y, width, height);
    if (node.selected) selected += shape;
    else cards += shape;
    left = Math.min(left, x);
    top = Math.min(top, y);
    right = Math.max(right, x + width);
    bottom = Math.max(bottom, y + height);
  }
  const bounds =
    left <= right ? { x: left, y: top, width: right - left, height: bottom - top } : null;
  return { cards, selected, bounds };
}

function roundedRect(x: number, y: number, width: number, height: number): string {
  const r = Math.min(CORNER, width / 2, height / 2);
  return (
    `M${x + r},${y}h${width - 2 * r}a${r},${r} 0 0 1 ${r},${r}v${height - 2 * r}` +
    `a${r},${r} 0 0 1 ${-r},${r}h${-(width - 2 * r)}a${r},${r} 0 0 1 ${-r},${-r}` +
    `v${-(height - 2 * r)}a${r},${r} 0 0 1 ${r},${-r}z`
  );
}

/** The part of the workflow in view, in the workflow's coordinates. */
export function viewedRect(
  [x, y, zoom]: readonly [number, number, number],
  width: number,
  height: number,
): Rect {
  return { x: -x / zoom, y: -y / zoom, width: width / zoom, height: height / zoom };
}

/**
 * The overview's view box: the nodes and the part in view, centred, with a margin of `MARGIN`
 * overview pixels, in the overview's own proportions (so that the SVG draws it unscaled and a
 * pixel is `scale` workflow units in both directions).
 */
export function overviewBox(nodes: Rect | null, viewed: Rect): Rect & { scale: number } {
  const both = nodes ? union(nodes, viewed) : viewed;
  const scale = Math.max(
    both.width / (SIZE.width - 2 * MARGIN),
    both.height / (SIZE.height - 2 * MARGIN),
  );
  const width = scale * SIZE.width;
  const height = scale * SIZE.height;
  return {
    x: both.x - (width - both.width) / 2,
    y: both.y - (height - both.height) / 2,
    width,
    height,
    scale,
  };
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

const selectView = (state: ReactFlowState) => ({
  transform: state.transform,
  width: state.width,
  height: state.height,
});

/**
 * The whole workflow in small, with the part in view framed: drag in it to move the view, turn
 * the wheel over it to zoom.
 */
export function OverviewMap({ label }: { label: string }) {
  const store = useStoreApi<EditorNode, EditorEdge>();
  const nodes = useStore((state) => state.nodes as EditorNode[]);
  const shapes = useMemo(() => {
    const { nodeLookup } = store.getState();
    const positionOf = (node: EditorNode) =>
      nodeLookup.get(node.id)?.internals.positionAbsolute ?? node.position;
    return nodeShapes(nodes, positionOf);
  }, [nodes, store]);
  const { transform, width, height } = useStore(selectView, shallow);
  const viewed = viewedRect(transform, width, height);
  const box = overviewBox(shapes.bounds, viewed);
  const { setViewport, getViewport, zoomTo } = useReactFlow();
  const dragFrom = useRef<{ x: number; y: number } | null>(null);

  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    dragFrom.current = { x: event.clientX, y: event.clientY };
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const from = dragFrom.current;
    if (!from) return;
    // The button went up where the overview did not hear it: the drag is over.
    if ((event.buttons & 1) === 0) {
      dragFrom.current = null;
      return;
    }
    dragFrom.current = { x: event.clientX, y: event.clientY };
    // A pixel in the overview is `scale` workflow units, which are `zoom` pixels on the canvas.
    const view = getViewport();
    const step = box.scale * view.zoom;
    void setViewport({
      x: view.x - (event.clientX - from.x) * step,
      y: view.y - (event.clientY - from.y) * step,
      zoom: view.zoom,
    });
  };
  const endDrag = () => {
    dragFrom.current = null;
  };
  // A listener of its own, not React's onWheel (which is passive): the wheel or a pinch over the
  // overview zooms the canvas, never the page.
  const svg = useRef<SVGSVGElement>(null);
  const zoomBy = useRef((_event: globalThis.WheelEvent) => {});
  zoomBy.current = (event) => {
    const perPixel = event.deltaMode === 1 ? 0.05 : event.deltaMode === 2 ? 1 : 0.002;
    void zoomTo(getViewport().zoom * 2 ** (-event.deltaY * perPixel));
  };
  useEffect(() => {
    const element = svg.current;
    if (!element) return;
    const onWheel = (event: globalThis.WheelEvent) => {
      event.preventDefault();
      zoomBy.current(event);
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  const outer = `M${box.x},${box.y}h${box.width}v${box.height}h${-box.width}z`;
  const frame = `M${viewed.x},${viewed.y}h${viewed.width}v${viewed.height}h${-viewed.width}z`;
  return (
    <Panel position="bottom-right" className="react-flow__minimap overview-map">
      <svg
        width={SIZE.width}
        height={SIZE.height}
        viewBox={`${box.x} ${box.y} ${box.width} ${box.height}`}
        className="react-flow__minimap-svg"
        role="img"
        aria-label={label}
        data-testid="overview-map"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onLostPointerCapture={endDrag}
        ref={svg}
      >
        <path
          className="overview-map-nodes"
          d={shapes.cards}
          shapeRendering="crispEdges"
          data-testid="overview-map-nodes"
        />
        <path
          className="overview-map-nodes overview-map-selected"
          shapeRendering="crispEdges"
          d={shapes.selected}
          data-testid="overview-map-selected"
        />
        <path
          className="react-flow__minimap-mask"
          d={`${outer}${frame}`}
          fillRule="evenodd"
          pointerEvents="none"
        />
      </svg>
    </Panel>
  );
}
