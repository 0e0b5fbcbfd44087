import { useState } from 'react';
import { getKey } from '../api';
import { curlSnippet, pythonSnippet, tritonSnippet, type Call } from '../snippets';

/** The last request as curl, Python requests and (for KServe V2) tritonclient, each with a copy button. */
export function CopyAs({ call }: { call: Call }) {
  const withKey = getKey() !== '';
  const tabs: { id: string; title: string; text: string }[] = [
    { id: 'curl', title: 'curl', text: curlSnippet(call, withKey) },
    { id: 'python', title: 'Python requests', text: pythonSnippet(call, withKey) },
  ];
  const triton = tritonSnippet(call, withKey);
  if (triton) tabs.push({ id: 'triton', title: 'tritonclient', text: triton });
  const [active, setActive] = useState('curl');
  const [copied, setCopied] = useState<string | null>(null);
  const tab = tabs.find((t) => t.id === active) ?? tabs[0];
  return (
    <section className="copyas" aria-label="Copy this request">
      <h3>Copy this request</h3>
      <div role="tablist" aria-label="Snippet language">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === tab.id}
            aria-controls="snippet"
            onClick={() => setActive(t.id)}
          >
            {t.title}
          </button>
        ))}
      </div>
      <pre id="snippet" role="tabpanel" aria-labelledby={`tab-${tab.id}`} tabIndex={0}>
        {tab.text}
      </pre>
      <button
        type="button"
        onClick={() => {
          navigator.clipboard?.writeText(tab.text).then(
            () => setCopied(tab.title),
            () => setCopied(null),
          );
        }}
      >
        Copy {tab.title}
      </button>
      <span role="status" className="small">
        {copied ? ` ${copied} copied` : ''}
      </span>
    </section>
  );
}
