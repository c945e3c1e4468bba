import browser from 'webextension-polyfill';
import { DEFAULT_PRICE_TABLE, parsePriceTable, type PriceTable } from '../replay/price-table.ts';

/** The user's edited price table, in browser.storage.local (no secrets in it). */
const KEY = 'priceTable';

export async function loadPriceTable(): Promise<PriceTable> {
  const got = await browser.storage.local.get(KEY);
  const parsed = parsePriceTable(got[KEY]);
  return parsed.ok ? parsed.table : DEFAULT_PRICE_TABLE;
}

export async function savePriceTable(table: PriceTable | null): Promise<void> {
  if (table) await browser.storage.local.set({ [KEY]: table });
  else await browser.storage.local.remove(KEY);
}
