/**
 * Saves text as a file from an extension page. An object URL on a temporary anchor works in the
 * side panel without the `downloads` permission; the URL is revoked after the click is handled.
 */
export function downloadTextFile(fileName: string, text: string, mimeType = 'application/x-ndjson'): void {
  downloadBlob(fileName, new Blob([text], { type: mimeType }));
}

/** Saves any blob as a file (a recording's zip, a text export). */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reads a chosen file as text (File.text() exists in every browser we target). */
export function readFileText(file: Blob): Promise<string> {
  return file.text();
}
