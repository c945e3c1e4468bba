/**
 * Saves text as a file from an extension page. An object URL on a temporary anchor works in the
 * side panel without the `downloads` permission; the URL is revoked after the click is handled.
 */
export function downloadTextFile(fileName: string, text: string, mimeType = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
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
