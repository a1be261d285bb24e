/** The key figures of the annual report, each with the sentence that explains it. */
import type { AnnualReportData } from './data.ts';
import { count, formatMinutes, formatNumber, MONTHS, were } from './format.ts';
import { COLOR, type Figure } from './layout.ts';

const DOJO = COLOR.second;

function pocsCreated({ pocs, year }: AnnualReportData): Figure {
  return {
    value: formatNumber(pocs.total),
    label: 'POCs created',
    explanation: pocs.total
      ? `${count(pocs.total, 'POC')} ${were(pocs.total)} created in ${year} by the workspace's members.`
      : `No POCs were created in ${year}.`,
  };
}

function dojosHeld({ dojos, year }: AnnualReportData): Figure {
  return {
    value: formatNumber(dojos.total),
    label: 'Dojos held',
    explanation: dojos.total
      ? `${count(dojos.total, 'live dojo')} ${were(dojos.total)} held in ${year}.`
      : `No dojos were held in ${year}.`,
    color: DOJO,
  };
}

function dojoMinutes({ dojos }: AnnualReportData): Figure {
  const time = dojos.minutes >= 60 ? ` (${formatMinutes(dojos.minutes)})` : '';
  return {
    value: formatNumber(dojos.minutes),
    label: 'Dojo minutes',
    explanation: `Dojo minutes${time}: the time members spent in live dojos, summed over participants.`,
    color: DOJO,
  };
}

/** The title page's four: POCs, members, dojos, dojo minutes. */
export function glanceFigures(data: AnnualReportData): Figure[] {
  const { members } = data;
  const membersSentence = members
    ? `${count(members, 'person', 'people')} ${members === 1 ? 'is a member' : 'are members'} of the workspace.`
    : 'The workspace has no members.';
  return [
    pocsCreated(data),
    { value: formatNumber(members), label: 'Members', explanation: membersSentence },
    dojosHeld(data),
    dojoMinutes(data),
  ];
}

export function pocFigures(data: AnnualReportData): Figure[] {
  const { pocs, members, year } = data;
  const perMember = members > 0 ? pocs.total / members : 0;
  const busiest = Math.max(0, ...pocs.byMonth);
  const month = busiest ? MONTHS[pocs.byMonth.indexOf(busiest)] : undefined;
  let perMemberSentence: string;
  if (!members) perMemberSentence = 'The workspace has no members.';
  else if (!pocs.total) perMemberSentence = `No member created a POC in ${year}.`;
  else if (members === 1) perMemberSentence = `The workspace's only member created them all.`;
  else
    perMemberSentence = `On average, each of the ${formatNumber(members)} members created ${perMember.toFixed(1)} POCs in ${year}.`;
  return [
    pocsCreated(data),
    {
      value: formatNumber(pocs.favorites),
      label: 'Favorites',
      explanation: pocs.favorites
        ? `${count(pocs.favorites, 'POC')} of ${year} ${pocs.favorites === 1 ? 'is' : 'are'} marked as favorites: the ones members want to find again.`
        : `No POC of ${year} is marked as a favorite.`,
    },
    {
      value: perMember.toLocaleString('en-US', { maximumFractionDigits: 1 }),
      label: 'POCs per member',
      explanation: perMemberSentence,
    },
    {
      value: month ?? '—',
      label: 'Busiest month',
      explanation: month
        ? `More POCs were created in ${month} than in any other month: ${formatNumber(busiest)}.`
        : `No month of ${year} saw a new POC.`,
    },
  ];
}

export function dojoFigures(data: AnnualReportData): Figure[] {
  const { dojos, year } = data;
  return [
    dojosHeld(data),
    dojoMinutes(data),
    {
      value: formatNumber(dojos.participants),
      label: 'Participants',
      explanation: dojos.participants
        ? `Dojos had ${count(dojos.participants, 'participant')} in all; a member who joins two dojos counts twice.`
        : `No one took part in a dojo in ${year}.`,
      color: DOJO,
    },
    {
      value: formatNumber(dojos.recordings),
      label: 'Recordings',
      explanation: dojos.recordings
        ? `${count(dojos.recordings, 'dojo recording')} ${were(dojos.recordings)} kept for members to watch again.`
        : `No dojo was recorded in ${year}.`,
      color: DOJO,
    },
  ];
}
