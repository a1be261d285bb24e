import { open } from 'node:fs/promises';

/**
 * Where werift's WebM writer puts the segment's Duration element (ID 0x4489, a 4-byte float, in ms): it
 * starts every file with a placeholder of one day and rewrites it when the writer sees both tracks end.
 * It never sees the video end when no keyframe reached the segment (its writer drops video until one
 * does), so such a file would claim to last a day; this writes the measured duration instead.
 */
const DURATION_OFFSET = 83;
const DURATION_HEADER = [0x44, 0x89, 0x84];

/** Sets the Duration of a werift-written WebM file; false (and nothing written) if the layout differs. */
export async function setWebmDuration(file: string, durationMs: number): Promise<boolean> {
  const handle = await open(file, 'r+');
  try {
    const head = Buffer.alloc(DURATION_HEADER.length + 4);
    await handle.read(head, 0, head.length, DURATION_OFFSET);
    if (!DURATION_HEADER.every((byte, i) => head[i] === byte)) return false;
    const value = Buffer.alloc(4);
    value.writeFloatBE(durationMs);
    await handle.write(value, 0, 4, DURATION_OFFSET + DURATION_HEADER.length);
    return true;
  } finally {
    await handle.close();
  }
}
