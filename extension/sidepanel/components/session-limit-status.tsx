import { useEffect, useState } from 'react';
import type { SessionLimit } from '../../shared/messages.ts';

/** The provider's session length limit and, where there is one, a countdown to it. */
export function SessionLimitStatus({ limit }: { limit: SessionLimit }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (limit.endsAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [limit.endsAt]);
  let text: string;
  if (limit.limitMs === null || limit.endsAt === null) {
    text = 'Session limit: none (context window compression on).';
  } else {
    const left = Math.max(0, Math.round((limit.endsAt - now) / 1000));
    const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    const kind = limit.video ? 'audio with video' : 'audio; 2 min once video is sent';
    text = `Session ends in ${mmss}: ${Math.round(limit.limitMs / 60_000)} min limit without compression (${kind}).`;
  }
  return (
    <p className="help" role="status" aria-label="Session limit">
      {text}
    </p>
  );
}
