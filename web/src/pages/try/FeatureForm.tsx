import { useState } from 'react';
import { postJson, type ModelInfo } from '../../api';
import { featureRequest, readPrediction, type Prediction, type V2Output } from '../../signature';
import type { Call } from '../../snippets';
import { Bars } from '../../components/Bars';
import { CopyAs } from '../../components/CopyAs';
import { ErrorNotice } from '../../components/Notice';

/** One numeric field per named feature; the answer is the class name and the probabilities as bars. */
export function FeatureForm({ model }: { model: ModelInfo }) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(model.features.map((f) => [f, ''])));
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [call, setCall] = useState<Call | null>(null);
  const path = `/v2/models/${encodeURIComponent(model.name)}/infer`;

  async function run() {
    setError(null);
    try {
      const body = featureRequest(model, values);
      setCall({ origin: window.location.origin, path, body, v2: { model: model.name, inputs: body.inputs } });
      const answer = await postJson<{ outputs: V2Output[] }>(path, body);
      const p = readPrediction(model, answer?.outputs ?? []);
      if (!p) throw new Error('the answer has no class output');
      setPrediction(p);
    } catch (e) {
      setPrediction(null);
      setError((e as Error).message);
    }
  }

  return (
    <>
      <form
        className="features"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <fieldset>
          <legend>Features of {model.name}</legend>
          {model.features.map((f) => (
            <div className="field" key={f}>
              <label htmlFor={`f-${f}`}>{f}</label>
              <input
                id={`f-${f}`}
                name={f}
                type="number"
                step="any"
                required
                inputMode="decimal"
                value={values[f]}
                onChange={(e) => setValues({ ...values, [f]: e.target.value })}
              />
            </div>
          ))}
        </fieldset>
        <button type="submit">Predict</button>
      </form>
      <ErrorNotice error={error} />
      {prediction && (
        <section className="result" aria-live="polite" data-testid="prediction">
          <h2>
            Class {prediction.classId}: <strong data-testid="class-name">{prediction.className}</strong>
          </h2>
          {prediction.probabilities.length > 0 && <Bars items={prediction.probabilities} highlight={prediction.className} />}
        </section>
      )}
      {call && <CopyAs call={call} />}
    </>
  );
}
