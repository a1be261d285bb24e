/** Number, money, date and wording helpers of the PDF reports (English, en-US conventions, dates in UTC). */

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234 → "1,234". */
export function formatNumber(n: number): string {
  return integer.format(n);
}

/** 0.4567 → "45.7%", 0.13 → "13.0%". */
export function formatPercent(fraction: number): string {
  return `${percent.format(fraction * 100)}%`;
}

/** "1 POC", "2 POCs"; `plural` defaults to `singular` + "s". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : plural}`;
}

/** "was" for one, "were" for any other count. */
export function were(n: number): string {
  return n === 1 ? 'was' : 'were';
}

/** 90 → "1 h 30 min", 45 → "45 min". */
export function formatMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  const rest = m % 60;
  return rest ? `${formatNumber(Math.floor(m / 60))} h ${rest} min` : `${formatNumber(m / 60)} h`;
}

/** "2027-01-14T09:30:00Z" → "January 14, 2027". */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

/** Formats amounts of one currency given in its minor unit (cents), e.g. 123450 USD → "$1,234.50". */
export interface Money {
  readonly code: string;
  /** How many minor units make one major unit (100 for USD, 1 for JPY). */
  readonly minorPerMajor: number;
  major(minor: number): number;
  format(minor: number): string;
  /** Short form for chart axes: "$1.2K". */
  compact(minor: number): string;
  /** Short form for chart labels, rounded: "$147", and "$1.2K" from 1,000 on. */
  short(minor: number): string;
}

export function money(currency: string): Money {
  const code = currency.trim().toUpperCase();
  let full: Intl.NumberFormat;
  let short: Intl.NumberFormat;
  try {
    full = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    short = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: code,
      notation: 'compact',
      maximumFractionDigits: 1,
    });
  } catch {
    // Not an ISO 4217 code Intl knows: plain numbers with the code after them, two decimals.
    const plain = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return {
      code,
      minorPerMajor: 100,
      major: (minor) => minor / 100,
      format: (minor) => `${plain.format(minor / 100)} ${code}`,
      compact: (minor) => `${oneDecimal.format(minor / 100)}`,
      short: (minor) => `${plain.format(minor / 100)}`,
    };
  }
  const minorPerMajor = 10 ** (full.resolvedOptions().maximumFractionDigits ?? 2);
  const whole = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: code,
    maximumFractionDigits: 0,
  });
  return {
    code,
    minorPerMajor,
    major: (minor) => minor / minorPerMajor,
    format: (minor) => full.format(minor / minorPerMajor),
    compact: (minor) => short.format(minor / minorPerMajor),
    short: (minor) => {
      const major = minor / minorPerMajor;
      return Math.abs(major) >= 1000 ? short.format(major) : whole.format(major);
    },
  };
}

/** "Pro" for "pro", "Past due" for "past_due". */
export function humanize(word: string): string {
  const spaced = word.replace(/[_-]+/g, ' ').trim();
  return spaced ? spaced[0]!.toUpperCase() + spaced.slice(1) : word;
}
