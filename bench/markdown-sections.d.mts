export function sectionMarkers(name: string): { start: string; end: string };
export function replaceSection(doc: string, name: string, body: string): string;
export function readSection(doc: string, name: string): string | null;
