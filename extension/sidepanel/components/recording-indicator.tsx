import { useEffect, useState } from 'react';
import { markRecordingNoticeShown, recordingNoticeShown } from '../recording-notice.ts';

/** Shown in the session bar while the session is being recorded. */
export function RecordingIndicator() {
  return (
    <span className="recording-indicator" role="status" aria-label="Recording indicator">
      <span className="recording-dot" aria-hidden="true" />
      Recording
    </span>
  );
}

/**
 * The first recorded session after install says so, and how to turn it off. Shown once (the flag
 * is in storage.local), until dismissed.
 */
export function RecordingNotice({ recording, onTurnOff }: { recording: boolean; onTurnOff(): void }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!recording) return;
    let cancelled = false;
    void recordingNoticeShown().then((seen) => {
      if (seen || cancelled) return;
      // Marked seen when dismissed, followed, or kept on screen until the session ended; not when
      // drawn: a panel closed right away shows it again next time.
      setShown(true);
    });
    return () => {
      cancelled = true;
    };
  }, [recording]);
  // Shown for a whole recorded session with the panel open: that counts as read too.
  useEffect(() => {
    if (shown && !recording) void markRecordingNoticeShown();
  }, [shown, recording]);
  if (!shown) return null;
  return (
    <div className="bar-notices">
      <div className="notice" role="note" aria-label="Recording notice">
        <p>
          This session is recorded on this device: your voice as sent, the bot's voice as played, and every event (never your API key). Recordings stay in this browser until you delete them; turn recording off with{' '}
          <strong>Record sessions</strong> in the{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              void markRecordingNoticeShown();
              setShown(false);
              onTurnOff();
            }}
          >
            Recordings view
          </button>
          .
        </p>
        <button
          type="button"
          onClick={() => {
            void markRecordingNoticeShown();
            setShown(false);
          }}
        >
          Dismiss recording notice
        </button>
      </div>
    </div>
  );
}
