/**
 * Counts getUserMedia calls in this document. Each failed call in an offscreen document counts as
 * a dismissed prompt, so "never call it without permission" is a promise worth checking: the
 * count is in the host status and the end-to-end tests assert on it.
 */
export function installGetUserMediaCounter(): () => number {
  let calls = 0;
  const devices = navigator.mediaDevices;
  if (!devices?.getUserMedia) return () => calls;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
    calls++;
    console.info(`[session-host] getUserMedia call #${calls}`);
    return original(constraints);
  };
  return () => calls;
}
