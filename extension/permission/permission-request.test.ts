import { describe, expect, it } from 'vitest';
import { describeGrant, describePermissionError } from './permission-request.ts';

describe('permission page messages', () => {
  it('explains a refusal with the way out', () => {
    const e = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const out = describePermissionError(e);
    expect(out.ok).toBe(false);
    expect(out.message).toContain('chrome://settings/content/microphone');
  });
  it('names a missing device and reports success with the camera when asked', () => {
    expect(describePermissionError(Object.assign(new Error('x'), { name: 'NotFoundError' })).message).toMatch(/No microphone/);
    expect(describeGrant(true)).toEqual({ ok: true, message: expect.stringContaining('microphone and camera') });
    expect(describeGrant(false).message).not.toContain('camera');
  });
});
