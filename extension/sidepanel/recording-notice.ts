import browser from 'webextension-polyfill';

/** Set once the first-run notice ("sessions are recorded") has been shown. */
const KEY = 'recordingNoticeShown';

export async function recordingNoticeShown(): Promise<boolean> {
  const got = await browser.storage.local.get(KEY);
  return got[KEY] === true;
}

export async function markRecordingNoticeShown(): Promise<void> {
  await browser.storage.local.set({ [KEY]: true });
}
