import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Makes a file's bytes durable, or (`directory`) the entries of a folder: a rename into it, a new file in it. */
export async function syncPath(path: string, directory = false): Promise<void> {
  const handle = await open(path, directory ? constants.O_RDONLY | constants.O_DIRECTORY : constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
