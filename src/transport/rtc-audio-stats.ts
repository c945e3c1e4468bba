/**
 * What the browser's WebRTC statistics say about a peer connection's audio, flattened (the session
 * host passes only primitive stats to the panel). Read from RTCPeerConnection.getStats() per
 * https://www.w3.org/TR/webrtc-stats/: inbound-rtp (the bot's audio as received), remote-inbound-rtp
 * (the bot's RTCP receiver reports about ours), media-source (our track's level), and the selected
 * candidate pair (round trip). Absent values stay null: a browser may not report every field.
 */
export interface RtcAudioStats {
  /** Set when these stats exist at all (an adapter whose audio goes over WebRTC). */
  rtcAudio: boolean;
  rtcCodec: string | null;
  /** Bot → us: inbound-rtp jitter, ms. */
  rtcJitterMs: number | null;
  rtcPacketsReceived: number | null;
  rtcPacketsLost: number | null;
  /** packetsLost / (packetsReceived + packetsLost), percent. */
  rtcLossPercent: number | null;
  /** inbound-rtp audioLevel, 0..1 (the bot's audio as it arrives). */
  rtcBotAudioLevel: number | null;
  /** Jitter buffer delay per emitted sample, ms. */
  rtcJitterBufferMs: number | null;
  /** Us → bot: outbound-rtp packetsSent. */
  rtcPacketsSent: number | null;
  /** The bot's receiver reports on our audio (remote-inbound-rtp). */
  rtcRemoteJitterMs: number | null;
  rtcRemotePacketsLost: number | null;
  /** media-source audioLevel, 0..1 (our microphone track). */
  rtcMicAudioLevel: number | null;
  /** Selected candidate pair's currentRoundTripTime (else remote-inbound-rtp roundTripTime), ms. */
  rtcRoundTripMs: number | null;
}

type Stat = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ms = (v: unknown): number | null => {
  const n = num(v);
  return n === null ? null : Math.round(n * 10_000) / 10;
};

export function summarizeRtcAudioStats(report: Iterable<Stat> | Map<string, Stat> | { forEach(cb: (s: Stat) => void): void }): RtcAudioStats {
  const all: Stat[] = [];
  (report as { forEach(cb: (s: Stat) => void): void }).forEach((s) => all.push(s));
  const byId = new Map(all.map((s) => [s.id, s]));
  const audio = (s: Stat) => s.kind === 'audio' || s.mediaType === 'audio';
  const inbound = all.find((s) => s.type === 'inbound-rtp' && audio(s));
  const outbound = all.find((s) => s.type === 'outbound-rtp' && audio(s));
  const remoteIn = all.find((s) => s.type === 'remote-inbound-rtp' && audio(s));
  const source = all.find((s) => s.type === 'media-source' && audio(s));
  const transport = all.find((s) => s.type === 'transport');
  const pair =
    (transport && typeof transport.selectedCandidatePairId === 'string' ? byId.get(transport.selectedCandidatePairId) : undefined) ??
    all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const codec = inbound && typeof inbound.codecId === 'string' ? byId.get(inbound.codecId) : undefined;
  const received = num(inbound?.packetsReceived);
  const lost = num(inbound?.packetsLost);
  const emitted = num(inbound?.jitterBufferEmittedCount);
  const bufferDelay = num(inbound?.jitterBufferDelay);
  return {
    rtcAudio: true,
    rtcCodec: codec && typeof codec.mimeType === 'string' ? `${codec.mimeType}${typeof codec.clockRate === 'number' ? `/${codec.clockRate}` : ''}` : null,
    rtcJitterMs: ms(inbound?.jitter),
    rtcPacketsReceived: received,
    rtcPacketsLost: lost,
    rtcLossPercent: received !== null && lost !== null && received + lost > 0 ? Math.round((Math.max(0, lost) / (received + Math.max(0, lost))) * 10_000) / 100 : null,
    rtcBotAudioLevel: num(inbound?.audioLevel),
    rtcJitterBufferMs: emitted && bufferDelay !== null ? Math.round((bufferDelay / emitted) * 10_000) / 10 : null,
    rtcPacketsSent: num(outbound?.packetsSent),
    rtcRemoteJitterMs: ms(remoteIn?.jitter),
    rtcRemotePacketsLost: num(remoteIn?.packetsLost),
    rtcMicAudioLevel: num(source?.audioLevel),
    rtcRoundTripMs: ms(pair?.currentRoundTripTime) ?? ms(remoteIn?.roundTripTime),
  };
}
