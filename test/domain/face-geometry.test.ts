import { describe, expect, it } from 'vitest';
import { iou, suppress, thumbnailCrop, tiles, toDisplaySpace, wholeView } from '../../src/domain/face-geometry.js';

describe('face geometry', () => {
  it('scans the whole picture as a square, and half-overlapping tiles when large enough', () => {
    const plan = { tileFraction: 0.5, minTileSide: 400, tilesBelow: 0.125 };
    expect(wholeView(1440, 960)).toEqual({ x: 0, y: -240, side: 1440 });
    const windows = tiles(1440, 960, plan);
    expect(windows).toHaveLength(6);
    expect(windows.every((t) => t.side === 720)).toBe(true);
    expect(Math.max(...windows.map((t) => t.x + t.side))).toBe(1440);
    expect(Math.max(...windows.map((t) => t.y + t.side))).toBe(960);
    expect(tiles(1440, 960, { ...plan, tileFraction: 2 / 3 })).toEqual([
      { x: 0, y: 0, side: 960 },
      { x: 480, y: 0, side: 960 },
    ]);
    expect(tiles(600, 400, plan)).toEqual([]);
  });

  it('suppresses overlapping boxes, keeping the best score, including a nested duplicate', () => {
    const kept = suppress([
      { box: { x: 0, y: 0, w: 100, h: 100 }, score: 0.9 },
      { box: { x: 10, y: 10, w: 50, h: 50 }, score: 0.95 },
      { box: { x: 300, y: 0, w: 100, h: 100 }, score: 0.5 },
    ], 0.5);
    expect(kept.map((k) => k.score)).toEqual([0.95, 0.5]);
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 0, w: 10, h: 10 })).toBeCloseTo(1 / 3, 6);
  });

  it('maps preview boxes to display space within the asset, and crops thumbnails inside the picture', () => {
    expect(toDisplaySpace({ x: 720, y: 480, w: 100, h: 120 }, { width: 1440, height: 960 }, { width: 4032, height: 2688 })).toEqual({ x: 2016, y: 1344, w: 280, h: 336 });
    expect(toDisplaySpace({ x: 1400, y: 900, w: 100, h: 100 }, { width: 1440, height: 960 }, { width: 1440, height: 960 })).toEqual({ x: 1400, y: 900, w: 40, h: 60 });
    const crop = thumbnailCrop({ x: 0, y: 0, w: 100, h: 100 }, 1000, 800);
    expect(crop).toEqual({ x: 0, y: 0, w: 160, h: 160 });
  });
});
