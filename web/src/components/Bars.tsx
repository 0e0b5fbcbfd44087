/** Horizontal bars with their values written out, so the numbers are readable without the picture. */
export function Bars({ items, highlight }: { items: { label: string; value: number }[]; highlight?: string }) {
  return (
    <ul className="bars" aria-label="Probabilities">
      {items.map((item) => (
        <li key={item.label} className={item.label === highlight ? 'top' : undefined}>
          <span className="bar-label">{item.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${Math.max(0, Math.min(1, item.value)) * 100}%` }} />
          </span>
          <span className="bar-value">{(item.value * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}
