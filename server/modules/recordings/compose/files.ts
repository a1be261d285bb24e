/**
 * The small text files ffmpeg reads beside the segments: a concat list per input, the chapters as an
 * ffmetadata file, and one label per tile (drawtext's textfile, so names never pass through the graph).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Chapter, ConcatEntry } from './plan.ts';

/** An ffconcat list: each file, then `duration` (where the next begins, so gaps stay gaps). */
export function concatList(entries: readonly ConcatEntry[]): string {
  const quoted = (file: string) => `'${path.resolve(file).replaceAll("'", "'\\''")}'`;
  const lines = ['ffconcat version 1.0'];
  for (const e of entries)
    lines.push(`file ${quoted(e.file)}`, `duration ${(e.durationMs / 1000).toFixed(3)}`);
  return `${lines.join('\n')}\n`;
}

const metaValue = (text: string) => text.replace(/[=;#\\\n]/g, '\\$&');

/** ffmetadata with one [CHAPTER] per turn, in ms. */
export function chaptersMetadata(chapters: readonly Chapter[]): string {
  const lines = [';FFMETADATA1'];
  for (const c of chapters)
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${c.startMs}`,
      `END=${c.endMs}`,
      `title=${metaValue(c.title)}`,
    );
  return `${lines.join('\n')}\n`;
}

export interface WrittenFiles {
  readonly lists: readonly string[];
  readonly chapters: string;
  readonly labels: readonly string[];
  readonly names: readonly string[];
  readonly pilotLabel: string;
}

export async function writeCompositionFiles(
  dir: string,
  contents: Readonly<
    Record<'lists' | 'labels' | 'names', readonly string[]> & Record<'chapters' | 'pilotLabel', string>
  >,
): Promise<WrittenFiles> {
  const put = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text, 'utf8');
    return file;
  };
  return {
    lists: await Promise.all(contents.lists.map((text, i) => put(`input-${i}.ffconcat`, text))),
    chapters: await put('chapters.ffmeta', contents.chapters),
    labels: await Promise.all(contents.labels.map((text, i) => put(`label-${i}.txt`, text))),
    names: await Promise.all(contents.names.map((text, i) => put(`name-${i}.txt`, text))),
    pilotLabel: await put('pilot.txt', contents.pilotLabel),
  };
}
