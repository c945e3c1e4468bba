export function zipFiles(files: Array<{ name: string; data: Buffer }>, when?: Date): Buffer;
