import type { AdapterDescriptor } from './adapter-descriptor.ts';

/**
 * Every `src/adapters/<name>/<name>-descriptor.ts` module's default export joins the registry:
 * adding an adapter is adding one folder. Order is by `order` then label.
 */
const modules = import.meta.glob<{ default: AdapterDescriptor & { order?: number } }>('./*/*-descriptor.ts', { eager: true });

export const adapters: AdapterDescriptor[] = Object.values(modules)
  .map((m) => m.default)
  .sort((a, b) => ((a as { order?: number }).order ?? 50) - ((b as { order?: number }).order ?? 50) || a.label.localeCompare(b.label));

export function findAdapter(id: string): AdapterDescriptor | undefined {
  return adapters.find((a) => a.id === id);
}

export function requireAdapter(id: string): AdapterDescriptor {
  const a = findAdapter(id);
  if (!a) throw new Error(`Unknown adapter "${id}". Known: ${adapters.map((x) => x.id).join(', ')}.`);
  return a;
}
