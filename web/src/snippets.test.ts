import { describe, expect, it } from 'vitest';
import { curlSnippet, pythonSnippet, tritonSnippet } from './snippets';

const body = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.9, 3, 5.1, 1.8] }] };
const call = { origin: 'http://127.0.0.1:8080', path: '/v2/models/iris/infer', body, v2: { model: 'iris', inputs: body.inputs } };

describe('copy as snippets', () => {
  it('writes curl with the body quoted for the shell, and the key only as a variable', () => {
    const text = curlSnippet({ ...call, body: { note: "it's" } }, true);
    expect(text).toContain(`-d '{"note":"it'"'"'s"}'`);
    expect(text).toContain('$MODELHOST_TOKEN');
    expect(curlSnippet(call, false)).not.toContain('Authorization');
  });

  it('writes Python requests with the current inputs', () => {
    const text = pythonSnippet(call, false);
    expect(text).toContain('requests.post("http://127.0.0.1:8080/v2/models/iris/infer"');
    expect(text).toContain('5.9');
  });

  it('writes a tritonclient snippet for V2 calls only', () => {
    const text = tritonSnippet(call, false)!;
    expect(text).toContain('InferenceServerClient(url="127.0.0.1:8080")');
    expect(text).toContain('np.array([5.9,3,5.1,1.8], dtype=np.float32).reshape([1,4])');
    expect(text).toContain('InferInput("input", x0.shape, "FP32")');
    expect(tritonSnippet({ ...call, v2: undefined }, false)).toBeNull();
  });
});
