import type { Poc } from './repo.ts';

/**
 * The search keys of a POC. A facet names a partition of `pocs_by_facet` (whole POCs): `t:<tag>`,
 * `l:<language key>`, and `f` for favorites. A gram names a partition of `pocs_by_gram` (names only):
 * every distinct three-character run of the lower-cased name. Facets are counted in `pocs_facet_counts`;
 * grams are not (a name has ~20 of them: counting them would double the cost of every write), a name
 * search picks its gram by how rare its letters are in English text instead (`rarestGram`).
 */
export const tagFacet = (tag: string): string => `t:${tag}`;
export const languageFacet = (key: string): string => `l:${key}`;
export const FAVORITE_FACET = 'f';

/** Substrings shorter than this have no gram: such a name search reads the user's partition. */
export const GRAM = 3;

export function facetsOf(poc: Pick<Poc, 'tags' | 'languageKey' | 'favorite'>): string[] {
  const facets = [...poc.tags.map(tagFacet), languageFacet(poc.languageKey)];
  if (poc.favorite) facets.push(FAVORITE_FACET);
  return facets;
}

/** The distinct trigrams of a text, lower-cased (a name, or the substring a search looks for). */
export function gramsOf(text: string): string[] {
  const lower = text.toLowerCase();
  const grams = new Set<string>();
  for (let i = 0; i + GRAM <= lower.length; i++) grams.add(lower.slice(i, i + GRAM));
  return [...grams];
}

/** What `b` lacks of `a`. */
export const without = (a: readonly string[], b: readonly string[]): string[] => {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
};

/** Letters from the most to the least frequent in English text; anything else counts as rare. */
const LETTERS = 'etaoinshrdlcumwfgypbvkjxqz';

/** The gram of `grams` whose letters are the rarest: the likeliest to have the smallest partition. */
export function rarestGram(grams: readonly string[]): string {
  let best = grams[0] ?? '';
  let score = -1;
  for (const gram of grams) {
    let rarity = 0;
    for (const c of gram) {
      const rank = LETTERS.indexOf(c);
      rarity += rank < 0 ? LETTERS.length : rank;
    }
    if (rarity > score) [best, score] = [gram, rarity];
  }
  return best;
}
