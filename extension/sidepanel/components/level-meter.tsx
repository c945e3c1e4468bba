/** A `role=meter` bar; RMS levels are small, so the bar shows them on a square-root scale. */
export function LevelMeter({ label, short, value }: { label: string; short?: string; value: number }) {
  const clamped = Math.max(0, Math.min(1, value));
  return (
    <div className="meter-row">
      <span className="meter-label" aria-hidden="true">
        {short ?? label}
      </span>
      <div
        className="meter"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={1}
        aria-valuenow={Number(clamped.toFixed(4))}
        aria-valuetext={`${Math.round(clamped * 100)} percent`}
      >
        <div className="meter-fill" style={{ width: `${Math.round(Math.sqrt(clamped) * 100)}%` }} />
      </div>
    </div>
  );
}
