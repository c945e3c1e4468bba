import { describeGrant, describePermissionError } from './permission-request.ts';

const button = document.getElementById('ask') as HTMLButtonElement;
const camera = document.getElementById('camera') as HTMLInputElement;
const result = document.getElementById('result') as HTMLParagraphElement;

function show(ok: boolean, message: string): void {
  result.textContent = message;
  result.dataset.kind = ok ? 'ok' : 'error';
}

async function ask(): Promise<void> {
  button.disabled = true;
  result.textContent = 'Waiting for your choice in Chrome’s prompt…';
  delete result.dataset.kind;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: camera.checked });
    // Only the grant is wanted here: release the devices at once.
    for (const t of stream.getTracks()) t.stop();
    const out = describeGrant(camera.checked);
    show(out.ok, out.message);
  } catch (e) {
    const out = describePermissionError(e);
    show(out.ok, out.message);
  } finally {
    button.disabled = false;
  }
}

button.addEventListener('click', () => void ask());

void navigator.permissions
  .query({ name: 'microphone' as PermissionName })
  .then((status) => {
    if (status.state === 'granted') show(true, 'Microphone access is already granted. You can close this tab.');
    else if (status.state === 'denied') show(false, 'Microphone access is blocked for this extension. Open chrome://settings/content/microphone, allow this extension, then reload this page.');
  })
  .catch(() => undefined);
