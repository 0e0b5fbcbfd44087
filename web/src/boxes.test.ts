import { describe, expect, it } from 'vitest';
import { base64FromDataUrl, detectFeatures, fitScale, labelPosition, toCanvas } from './boxes';

describe('box drawing maths', () => {
  it('fits an image inside the canvas without enlarging it', () => {
    expect(fitScale(512, 512, 640, 480)).toBeCloseTo(480 / 512);
    expect(fitScale(1280, 400, 640, 480)).toBeCloseTo(0.5);
    expect(fitScale(100, 100, 640, 480)).toBe(1);
    expect(fitScale(0, 100, 640, 480)).toBe(1);
  });

  it('maps a box from image pixels to canvas pixels', () => {
    expect(toCanvas({ x: 179.06, y: 81.32, width: 92.63, height: 92.63 }, 0.5, 256, 256)).toEqual({
      x: 89.53, y: 40.66, width: 46.315, height: 46.315,
    });
  });

  it('clips a box that reaches past the image to the canvas', () => {
    expect(toCanvas({ x: -10, y: 90, width: 50, height: 50 }, 1, 100, 100)).toEqual({ x: 0, y: 90, width: 40, height: 10 });
  });

  it('puts the label above the box, or inside it at the top edge', () => {
    expect(labelPosition({ x: 5, y: 40, width: 10, height: 10 }, 18)).toEqual({ x: 5, y: 22 });
    expect(labelPosition({ x: 5, y: 4, width: 10, height: 10 }, 18)).toEqual({ x: 5, y: 4 });
  });

  it('sends the sliders under the vision API\'s names with a whole maxResults', () => {
    expect(detectFeatures({ score_th: 0.35, nms_iou: 0.4, maxResults: 7.6 })).toEqual({ score_th: 0.35, nms_iou: 0.4, maxResults: 8 });
  });

  it('strips the data URL prefix to get the base64 content', () => {
    expect(base64FromDataUrl('data:image/png;base64,iVBORw0K')).toBe('iVBORw0K');
  });
});
