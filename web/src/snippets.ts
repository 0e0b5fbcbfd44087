// "Copy as" snippets: the request the page just made, as curl, Python requests and tritonclient, with the current
// inputs filled in. The key is never written into a snippet: it is read from MODELHOST_TOKEN.

export interface Call {
  origin: string;
  path: string;
  body: unknown;
  /** Set for KServe V2 infer calls: the model and its inputs, for the tritonclient snippet. */
  v2?: { model: string; inputs: { name: string; datatype: string; shape: number[]; data: unknown }[] };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

export function curlSnippet(call: Call, withKey: boolean): string {
  const lines = [`curl -s ${shellQuote(call.origin + call.path)}`, `  -H 'Content-Type: application/json'`];
  if (withKey) lines.push(`  -H "Authorization: Bearer $MODELHOST_TOKEN"`);
  lines.push(`  -d ${shellQuote(JSON.stringify(call.body))}`);
  return lines.join(' \\\n');
}

export function pythonSnippet(call: Call, withKey: boolean): string {
  return [
    'import json, os',
    'import requests',
    '',
    `body = json.loads(${JSON.stringify(JSON.stringify(call.body))})`,
    withKey ? 'headers = {"Authorization": "Bearer " + os.environ["MODELHOST_TOKEN"]}' : 'headers = {}',
    `response = requests.post(${JSON.stringify(call.origin + call.path)}, json=body, headers=headers, timeout=30)`,
    'response.raise_for_status()',
    'print(response.json())',
  ].join('\n');
}

const numpyTypes: Record<string, string> = {
  FP32: 'np.float32', FP64: 'np.float64', FP16: 'np.float16', INT64: 'np.int64', INT32: 'np.int32', INT16: 'np.int16',
  INT8: 'np.int8', UINT8: 'np.uint8', UINT16: 'np.uint16', UINT32: 'np.uint32', UINT64: 'np.uint64', BOOL: 'np.bool_',
  BYTES: 'np.object_',
};

export function tritonSnippet(call: Call, withKey: boolean): string | null {
  if (!call.v2) return null;
  const url = new URL(call.origin);
  const lines = [
    'import os',
    'import numpy as np',
    'import tritonclient.http as httpclient',
    '',
    `client = httpclient.InferenceServerClient(url=${JSON.stringify(url.host)}${url.protocol === 'https:' ? ', ssl=True' : ''})`,
    withKey ? 'headers = {"Authorization": "Bearer " + os.environ["MODELHOST_TOKEN"]}' : 'headers = None',
    'inputs = []',
  ];
  call.v2.inputs.forEach((input, n) => {
    const dtype = numpyTypes[input.datatype] ?? 'np.float32';
    lines.push(
      `x${n} = np.array(${JSON.stringify(input.data)}, dtype=${dtype}).reshape(${JSON.stringify(input.shape)})`,
      `inputs.append(httpclient.InferInput(${JSON.stringify(input.name)}, x${n}.shape, ${JSON.stringify(input.datatype)}))`,
      `inputs[-1].set_data_from_numpy(x${n})`,
    );
  });
  lines.push(
    `result = client.infer(${JSON.stringify(call.v2.model)}, inputs, headers=headers)`,
    'print(result.get_response())',
  );
  return lines.join('\n');
}
