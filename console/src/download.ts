/** Offers a blob as a file to save, without another server round trip. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.click();
  setTimeout(() => { URL.revokeObjectURL(url); }, 0);
}

/** Offers text as a file to save. */
export function download(name: string, text: string, type: string): void {
  saveBlob(name, new Blob([text], { type }));
}
