// Box maths for the detection view: the server answers boxes in the original image's pixels; the canvas shows the
// image scaled to fit its width. These functions map one to the other.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Detection {
  label: string;
  score: number;
  box: Box;
  keypoints?: { x: number; y: number }[];
}

/** The scale that fits an image of imageWidth × imageHeight inside maxWidth × maxHeight (never enlarging). */
export function fitScale(imageWidth: number, imageHeight: number, maxWidth: number, maxHeight: number): number {
  if (imageWidth <= 0 || imageHeight <= 0) return 1;
  return Math.min(1, maxWidth / imageWidth, maxHeight / imageHeight);
}

/** A box in image pixels → canvas pixels at `scale`, clipped to the canvas. */
export function toCanvas(box: Box, scale: number, canvasWidth: number, canvasHeight: number): Box {
  const x0 = clamp(box.x * scale, 0, canvasWidth);
  const y0 = clamp(box.y * scale, 0, canvasHeight);
  const x1 = clamp((box.x + box.width) * scale, 0, canvasWidth);
  const y1 = clamp((box.y + box.height) * scale, 0, canvasHeight);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Where a box's label goes: above the box, or inside its top when the box touches the top edge. */
export function labelPosition(box: Box, labelHeight: number): { x: number; y: number } {
  return { x: box.x, y: box.y >= labelHeight ? box.y - labelHeight : box.y };
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** The detect request's features: the sliders' values, in the names the vision API takes. */
export function detectFeatures(f: { score_th: number; nms_iou: number; maxResults: number }) {
  return { score_th: f.score_th, nms_iou: f.nms_iou, maxResults: Math.round(f.maxResults) };
}

/** base64 of a file's bytes, without the data: URL prefix. */
export function base64FromDataUrl(url: string): string {
  const comma = url.indexOf(',');
  return comma >= 0 ? url.slice(comma + 1) : url;
}
