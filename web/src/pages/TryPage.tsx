import { useEffect, useState } from 'react';
import { getJson, type ModelInfo, type ModelList } from '../api';
import { formKind } from '../signature';
import { navigate } from '../router';
import { ErrorNotice } from '../components/Notice';
import { FeatureForm } from './try/FeatureForm';
import { DetectorForm } from './try/DetectorForm';
import { TensorForm } from './try/TensorForm';

export function TryPage({ initialModel }: { initialModel: string | null }) {
  const [list, setList] = useState<ModelInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>(initialModel ?? '');

  useEffect(() => {
    getJson<ModelList>('/v1/models').then(
      (l) => {
        const ready = l.models.filter((m) => m.state === 'READY');
        setList(ready);
        setSelected((s) => (s && ready.some((m) => m.name === s) ? s : (l.default_model ?? ready[0]?.name ?? '')));
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  const model = list?.find((m) => m.name === selected) ?? null;
  const kind = model ? formKind(model) : null;
  return (
    <section>
      <ErrorNotice error={error} />
      {list && list.length === 0 && <p>No model is ready.</p>}
      {list && list.length > 0 && (
        <div className="field">
          <label htmlFor="try-model">Model</label>
          <select
            id="try-model"
            value={selected}
            onChange={(e) => {
              setSelected(e.target.value);
              navigate(`/try?model=${encodeURIComponent(e.target.value)}`);
            }}
          >
            {list.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {model && kind === 'features' && <FeatureForm key={model.name} model={model} />}
      {model && kind === 'detector' && <DetectorForm key={model.name} model={model} />}
      {model && kind === 'tensor' && <TensorForm key={model.name} model={model} />}
    </section>
  );
}
