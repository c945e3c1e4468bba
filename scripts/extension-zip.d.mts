export function collectExtensionFiles(dir: string): Array<{ name: string; data: Uint8Array }>;
export function zipExtension(files: Array<{ name: string; data: Uint8Array }>): Uint8Array;
