import type { NewDomainEvent } from '../../capabilities.ts';
import type { Owner, Poc } from './repo.ts';

export type PocEventType =
  'poc.created' | 'poc.updated' | 'poc.favourited' | 'poc.unfavourited' | 'poc.deleted';

/**
 * A POC fact for the reporting read model. Every event carries the POC's whole state and `version` (its
 * `updated`, in ms; for a deletion the time of the deletion), so a consumer keeps the newest state whatever
 * order events reach it in, and a deleted POC is never brought back by a late update.
 */
export function pocEvent(owner: Owner, type: PocEventType, poc: Poc, at: Date): NewDomainEvent {
  return {
    domain: 'pocs',
    type,
    version: 1,
    tenantId: owner.tenantId,
    at,
    data: {
      pocId: poc.id,
      userId: owner.userId,
      name: poc.name,
      language: poc.language,
      tags: [...poc.tags],
      favorite: poc.favorite,
      created: poc.created.toISOString(),
      version:
        type === 'poc.deleted' ? Math.max(at.getTime(), poc.updated.getTime() + 1) : poc.updated.getTime(),
    },
  };
}

/** What an update was, as its event names it: a favourite toggled alone, or any other change. */
export function updateType(before: Poc, after: Poc): PocEventType {
  const onlyFavorite =
    before.favorite !== after.favorite &&
    before.name === after.name &&
    before.language === after.language &&
    before.repoUrl === after.repoUrl &&
    before.description === after.description &&
    before.tags.join('\n') === after.tags.join('\n');
  if (!onlyFavorite) return 'poc.updated';
  return after.favorite ? 'poc.favourited' : 'poc.unfavourited';
}
