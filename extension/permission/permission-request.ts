/** Outcome of the one getUserMedia call on the permission page, in words for the user. */
export interface PermissionOutcome {
  ok: boolean;
  message: string;
}

export function describePermissionError(error: unknown): PermissionOutcome {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return {
        ok: false,
        message:
          'Access was not granted. If you dismissed the prompt, press "Ask for access" again. If you chose Block, open chrome://settings/content/microphone, allow this extension, and reload this page.',
      };
    case 'NotFoundError':
      return { ok: false, message: 'No microphone was found. Plug one in and press "Ask for access" again.' };
    case 'NotReadableError':
      return { ok: false, message: 'The microphone is in use by another application or could not be opened. Close the other application and try again.' };
    default:
      return { ok: false, message: `The microphone could not be opened: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function describeGrant(camera: boolean): PermissionOutcome {
  return {
    ok: true,
    message: `Done: microphone${camera ? ' and camera' : ''} access is granted. You can close this tab and connect from the side panel.`,
  };
}
