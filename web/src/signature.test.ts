import { describe, expect, it } from 'vitest';
import type { ModelInfo } from './api';
import { concreteShape, featureRequest, formKind, outputRows, parseTensorRequest, readPrediction, tensorTemplate } from './signature';

const iris: ModelInfo = {
  name: 'iris', state: 'READY', reason: '', platform: 'onnxruntime_onnx', default: true, trainable: false,
  versions: [{ version: '1', state: 'READY', reason: '' }], labels: {},
  features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  class_labels: ['setosa', 'versicolor', 'virginica'], max_batch_size: 64, instances: 1, dynamic_batching: null, vision: null,
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
};

describe('forms from signatures', () => {
  it('gives a model with named features one field per feature, a detector an image, and anything else the tensor editor', () => {
    expect(formKind(iris)).toBe('features');
    expect(formKind({ ...iris, vision: { default: true, labels: ['face'], defaults: { score_th: 0.5, nms_iou: 0.4, min_height: 0.03, min_width: 0.03, maxResults: 20 } } })).toBe('detector');
    expect(formKind({ ...iris, features: [] })).toBe('tensor');
  });

  it('builds a one-row V2 request with the features in model.yaml order', () => {
    const body = featureRequest(iris, { petal_width: '1.8', sepal_length: '5.9', sepal_width: '3.0', petal_length: '5.1' });
    expect(body).toEqual({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.9, 3.0, 5.1, 1.8] }] });
  });

  it('names the feature that is empty or not a number', () => {
    expect(() => featureRequest(iris, { sepal_length: '5.9', sepal_width: 'abc', petal_length: '1', petal_width: '1' })).toThrow("'sepal_width' must be a number");
    expect(() => featureRequest(iris, { sepal_length: '', sepal_width: '1', petal_length: '1', petal_width: '1' })).toThrow("'sepal_length'");
  });

  it('reads the class name and a probability per class from the outputs', () => {
    const p = readPrediction(iris, [
      { name: 'label', datatype: 'INT64', shape: [1], data: [2] },
      { name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: [0, 0.0767, 0.9233] },
    ]);
    expect(p?.classId).toBe(2);
    expect(p?.className).toBe('virginica');
    expect(p?.probabilities.map((x) => x.label)).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(p?.probabilities[2].value).toBeCloseTo(0.9233);
  });

  it('falls back to the class number when the model names no classes', () => {
    expect(readPrediction({ ...iris, class_labels: [] }, [{ name: 'label', datatype: 'INT64', shape: [1], data: [1] }])?.className).toBe('1');
  });

  it('prefills the tensor editor with a concrete shape and zeros of the right nesting', () => {
    expect(concreteShape([-1, 3, -1])).toEqual([1, 3, 1]);
    const body = JSON.parse(tensorTemplate([{ name: 'x', datatype: 'FP32', shape: [-1, 2, 3] }, { name: 'flag', datatype: 'BOOL', shape: [1] }]));
    expect(body.inputs[0]).toEqual({ name: 'x', datatype: 'FP32', shape: [1, 2, 3], data: [[[0, 0, 0], [0, 0, 0]]] });
    expect(body.inputs[1].data).toEqual([false]);
  });

  it('says what is wrong with an edited request', () => {
    expect(() => parseTensorRequest('{')).toThrow('not valid JSON');
    expect(() => parseTensorRequest('{"inputs": []}')).toThrow('"inputs" list');
    expect(() => parseTensorRequest('{"inputs": [{"name": "x", "data": [1]}]}')).toThrow("input 'x' has no \"shape\"");
    expect(parseTensorRequest('{"inputs": [{"name": "x", "shape": [1], "data": [1]}]}').inputs).toHaveLength(1);
  });

  it('lists an output as rows with each value\'s index in the tensor', () => {
    const rows = outputRows({ name: 'y', datatype: 'FP32', shape: [2, 2], data: [1, 2.5, 3, 4] });
    expect(rows.map((r) => r.index)).toEqual(['[0, 0]', '[0, 1]', '[1, 0]', '[1, 1]']);
    expect(rows[1].value).toBe('2.5');
  });
});
