/**
 * End-to-end harness for the extension in Debian's Chromium (see README "Tests").
 *
 *   const h = await launchExtension({ fakeMicWav, noLoop, fakeMediaUi });
 *   const panel = await h.openPanel({ adapter: 'loopback' });
 *   await button(panel, 'Connect').click();
 *   await waitForConnectionState(panel, 'ready');
 *   await waitForEvent(panel, 'bot-ready');
 *   const events = await h.evaluateInOffscreen('globalThis.__sessionHost.events()');
 *   expect(h.targets.dump()).not.toContain(key);
 *   expect(await auditAccessibility(panel)).toEqual([]);
 *   await h.close();
 */
export { launchExtension, DIST_DIR, FIXTURES_DIR, REPO_ROOT, SPEECH_WAV, type ExtensionHarness, type LaunchOptions } from './extension-harness.ts';
export { ExtensionTargets, type ConsoleEntry } from './extension-targets.ts';
export { auditAccessibility, type AxeViolation } from './axe-audit.ts';
export { alertTexts, button, connectionStatus, eventCount, exactly, listedEventTypes, meterValue, selectView, waitForConnectionState, waitForEvent, type ViewName } from './panel-page.ts';
export { waitFor } from './wait-for.ts';
export { findBrowser, isBrandedChrome, INSTALL_HINT } from './find-browser.mjs';
