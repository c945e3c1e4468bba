/**
 * Accumulates a user's transcription fragments into the RTVI 2.x shape: every partial carries the
 * whole text so far, and one final closes the user's turn. Provider-neutral and pure: Gemini sends
 * fragments to append; OpenAI sends deltas and then the completed text (pass it to `finish`).
 */
export interface UserTranscriptUpdate {
  text: string;
  final: boolean;
}

export class UserTranscriptAccumulator {
  private text = '';

  get current(): string {
    return normalise(this.text);
  }

  get hasText(): boolean {
    return this.current.length > 0;
  }

  /** Appends a fragment; returns the partial to emit, or null when nothing visible changed. */
  append(fragment: string): UserTranscriptUpdate | null {
    if (!fragment) return null;
    const before = this.current;
    this.text += fragment;
    const now = this.current;
    return now && now !== before ? { text: now, final: false } : null;
  }

  /** Replaces the text so far (providers that resend the whole hypothesis). */
  replace(text: string): UserTranscriptUpdate | null {
    const before = this.current;
    this.text = text;
    const now = this.current;
    return now && now !== before ? { text: now, final: false } : null;
  }

  /** Closes the turn: the final text (the provider's own, when given) or null if nothing was heard. */
  finish(finalText?: string): UserTranscriptUpdate | null {
    const text = normalise(finalText ?? this.text);
    this.text = '';
    return text ? { text, final: true } : null;
  }

  reset(): void {
    this.text = '';
  }
}

function normalise(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
