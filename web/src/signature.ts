// Forms from a model's signature: which kind of "try it" form a model gets, the request each form sends, and how the
// answer is read back.
import type { ModelInfo, TensorInfo } from './api';

export type FormKind = 'features' | 'detector' | 'tensor';

/** Named features (model.yaml `features`) → one field each; a vision section → an image; anything else → tensors. */
export function formKind(model: ModelInfo): FormKind {
  if (model.vision) return 'detector';
  if (model.features.length > 0 && model.inputs.length === 1) return 'features';
  return 'tensor';
}

/** The V2 request for one row of named feature values, in the order model.yaml lists them. */
export function featureRequest(model: ModelInfo, values: Record<string, string>) {
  const input = model.inputs[0];
  const data = model.features.map((f) => {
    const text = (values[f] ?? '').trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) throw new Error(`'${f}' must be a number`);
    return n;
  });
  return { inputs: [{ name: input.name, datatype: input.datatype, shape: [1, data.length], data }] };
}

export interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

export interface Prediction {
  classId: number;
  className: string;
  probabilities: { label: string; value: number }[];
}

/**
 * The predicted class and its probabilities from a classifier's outputs: the integer output is the class, a float
 * output with one value per class (or one of the class labels' count) holds the probabilities.
 */
export function readPrediction(model: ModelInfo, outputs: V2Output[]): Prediction | null {
  const label = outputs.find((o) => o.datatype.startsWith('INT') || o.datatype.startsWith('UINT'));
  if (!label || label.data.length === 0) return null;
  const classId = Number(label.data[0]);
  const names = model.class_labels;
  const probs = outputs.find((o) => o !== label && o.datatype.startsWith('FP'));
  const width = probs ? (probs.shape.length > 1 ? probs.shape[probs.shape.length - 1] : probs.data.length) : 0;
  const row = probs ? (probs.data.flat(Infinity) as number[]).slice(0, width) : [];
  return {
    classId,
    className: names[classId] ?? String(classId),
    probabilities: row.map((value, i) => ({ label: names[i] ?? String(i), value: Number(value) })),
  };
}

/** A tensor's shape with every dynamic dimension (-1) set to 1: the shape the editor starts with. */
export function concreteShape(shape: number[]): number[] {
  return shape.map((d) => (d < 0 ? 1 : d));
}

function zeros(shape: number[], datatype: string): unknown {
  if (shape.length === 0) return datatype === 'BYTES' ? '' : datatype === 'BOOL' ? false : 0;
  const [first, ...rest] = shape;
  return Array.from({ length: first }, () => zeros(rest, datatype));
}

/** The editor's starting JSON: every input with its datatype, a concrete shape and zeros of that shape. */
export function tensorTemplate(inputs: TensorInfo[]): string {
  const body = {
    inputs: inputs.map((i) => {
      const shape = concreteShape(i.shape);
      const count = shape.reduce((a, b) => a * b, 1);
      return { name: i.name, datatype: i.datatype, shape, data: count <= 4096 ? zeros(shape, i.datatype) : [] };
    }),
  };
  return JSON.stringify(body, null, 2);
}

/** Parses the editor's text, saying what is wrong in words: the request must have inputs with name, shape and data. */
export function parseTensorRequest(text: string): { inputs: unknown[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`the request is not valid JSON: ${(e as Error).message}`);
  }
  const inputs = (value as { inputs?: unknown })?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new Error('the request needs an "inputs" list');
  inputs.forEach((input, n) => {
    const i = input as Record<string, unknown>;
    if (typeof i.name !== 'string') throw new Error(`input ${n + 1} has no "name"`);
    if (!Array.isArray(i.shape)) throw new Error(`input '${i.name}' has no "shape"`);
    if (!('data' in i)) throw new Error(`input '${i.name}' has no "data"`);
  });
  return value as { inputs: unknown[] };
}

/** An output as table rows: one row per value, with its index in the tensor. */
export function outputRows(output: V2Output, max = 200): { index: string; value: string }[] {
  const flat = output.data.flat(Infinity);
  const dims = output.shape.length ? output.shape : [flat.length];
  return flat.slice(0, max).map((v, k) => {
    const index: number[] = [];
    let rest = k;
    for (let d = dims.length - 1; d >= 0; d--) {
      index.unshift(rest % dims[d]);
      rest = Math.floor(rest / dims[d]);
    }
    return { index: `[${index.join(', ')}]`, value: typeof v === 'number' ? formatNumber(v) : JSON.stringify(v) };
  });
}

export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
}
