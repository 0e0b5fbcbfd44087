import { useState } from 'react';
import { postJson, type ModelInfo } from '../../api';
import { outputRows, parseTensorRequest, tensorTemplate, type V2Output } from '../../signature';
import type { Call } from '../../snippets';
import { CopyAs } from '../../components/CopyAs';
import { ErrorNotice } from '../../components/Notice';

/** A JSON editor prefilled with each input's name, datatype, shape and zeros; the outputs come back as tables. */
export function TensorForm({ model }: { model: ModelInfo }) {
  const [text, setText] = useState(() => tensorTemplate(model.inputs));
  const [outputs, setOutputs] = useState<V2Output[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [call, setCall] = useState<Call | null>(null);
  const path = `/v2/models/${encodeURIComponent(model.name)}/infer`;

  async function run() {
    setError(null);
    try {
      const body = parseTensorRequest(text);
      setCall({ origin: window.location.origin, path, body, v2: { model: model.name, inputs: body.inputs as never } });
      const answer = await postJson<{ outputs: V2Output[] }>(path, body);
      setOutputs(answer?.outputs ?? []);
    } catch (e) {
      setOutputs(null);
      setError((e as Error).message);
    }
  }

  return (
    <>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <div className="field">
          <label htmlFor="tensor-editor">KServe V2 request body</label>
          <textarea id="tensor-editor" rows={14} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <button type="submit">Run</button>
      </form>
      <ErrorNotice error={error} />
      {outputs?.map((o) => (
        <div className="table-wrap" key={o.name}>
          <table>
            <caption>
              {o.name} {o.datatype} [{o.shape.join(', ')}]
            </caption>
            <thead>
              <tr>
                <th scope="col">Index</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {outputRows(o).map((r) => (
                <tr key={r.index}>
                  <td>{r.index}</td>
                  <td>{r.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {call && <CopyAs call={call} />}
    </>
  );
}
