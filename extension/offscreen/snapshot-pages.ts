import type { LogEvent } from '../shared/log-event.ts';
import { utf8Length } from '../../src/transport/provider-socket.ts';

/** Chrome drops Port messages over 64 MiB and large ones stall the panel: keep each page ≤ 1 MB. */
export const SNAPSHOT_PAGE_BYTES = 1_000_000;

/**
 * Splits the history into pages whose JSON stays within `maxBytes`. An event larger than a page
 * on its own travels alone (it cannot be split without losing it).
 */
export function paginateEvents(events: readonly LogEvent[], maxBytes = SNAPSHOT_PAGE_BYTES): LogEvent[][] {
  const pages: LogEvent[][] = [];
  let page: LogEvent[] = [];
  let size = 2; // the array brackets
  for (const e of events) {
    const bytes = utf8Length(JSON.stringify(e)) + 1; // + the comma
    if (page.length > 0 && size + bytes > maxBytes) {
      pages.push(page);
      page = [];
      size = 2;
    }
    page.push(e);
    size += bytes;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
