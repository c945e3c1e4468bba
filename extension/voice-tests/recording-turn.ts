import type { Recording } from '../recordings/recording-format.ts';
import { assembleTrack, cutTrack, type OpusDecoder } from '../replay/mic-track.ts';
import { planReplay } from '../replay/replay-plan.ts';
import type { SpeechAudio } from './scenario-runner.ts';

/**
 * The user's n-th spoken turn of a recording, as a voice test speaks it: the same cut a replay
 * injects (the detected speech with the lead and trailing silence turn detection needs), so a
 * scenario step and a replay of the same recording send the same audio.
 */
export async function recordingUserTurn(rec: Recording, turn: number, decodeOpus?: OpusDecoder): Promise<SpeechAudio> {
  const spoken = planReplay(rec).steps.filter((s) => s.kind === 'audio');
  const step = spoken[turn - 1];
  if (!step || step.kind !== 'audio') throw new Error(`recording "${rec.meta.name}" has ${spoken.length} spoken user turn${spoken.length === 1 ? '' : 's'}; turn ${turn} does not exist`);
  const mic = await assembleTrack(rec, 'mic', decodeOpus);
  if (!mic) throw new Error(`recording "${rec.meta.name}" has no microphone track`);
  const pcm = cutTrack(mic, step.cut);
  if (pcm.length === 0) throw new Error(`recording "${rec.meta.name}": turn ${turn} has no microphone audio under it`);
  return { pcm, sampleRate: mic.sampleRate };
}
