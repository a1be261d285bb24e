/** Sample report data: a busy year, an empty year, and a tenant whose name the report fonts cannot draw. */
import type { AnnualReportData, BillingReportData } from '../../../server/modules/reports/pdf/data.ts';

export const annualSample: AnnualReportData = {
  tenantId: 'tnt_8f3a2c',
  tenantName: 'Acme Robotics',
  year: 2026,
  generatedAt: '2027-01-14T09:30:00.000Z',
  members: 18,
  pocs: {
    total: 42,
    byMonth: [2, 3, 6, 4, 5, 3, 1, 2, 4, 5, 4, 3],
    byLanguage: [
      { language: 'TypeScript', count: 14 },
      { language: 'Python', count: 9 },
      { language: 'Go', count: 6 },
      { language: 'Rust', count: 4 },
      { language: 'Java', count: 3 },
      { language: 'Kotlin', count: 2 },
      { language: 'Elixir', count: 2 },
      { language: 'C#', count: 1 },
      { language: 'Haskell', count: 1 },
    ],
    topTags: [
      { tag: 'api', count: 12 },
      { tag: 'performance', count: 9 },
      { tag: 'machine-learning', count: 7 },
      { tag: 'frontend', count: 6 },
      { tag: 'database', count: 5 },
      { tag: 'security', count: 4 },
      { tag: 'devops', count: 3 },
      { tag: 'testing', count: 3 },
      { tag: 'mobile', count: 2 },
      { tag: 'accessibility', count: 1 },
    ],
    favorites: 17,
  },
  dojos: {
    total: 14,
    minutes: 3765,
    participants: 63,
    recordings: 9,
    minutesByMonth: [240, 300, 420, 0, 510, 360, 90, 0, 405, 480, 600, 360],
  },
};

export const billingSample: BillingReportData = {
  tenantId: 'tnt_8f3a2c',
  tenantName: 'Acme Robotics',
  year: 2026,
  generatedAt: '2027-01-14T09:30:00.000Z',
  currency: 'USD',
  payments: {
    count: 14,
    totalCents: 123450,
    byMonth: [
      { count: 1, totalCents: 4900 },
      { count: 1, totalCents: 4900 },
      { count: 2, totalCents: 9800 },
      { count: 1, totalCents: 4900 },
      { count: 1, totalCents: 4900 },
      { count: 1, totalCents: 19900 },
      { count: 1, totalCents: 19900 },
      { count: 1, totalCents: 9900 },
      { count: 1, totalCents: 9900 },
      { count: 2, totalCents: 14650 },
      { count: 1, totalCents: 9900 },
      { count: 1, totalCents: 9900 },
    ],
  },
  failedPayments: 2,
  subscription: { plan: 'team', status: 'active', expiresAt: '2027-02-01T00:00:00.000Z', autoRenew: true },
};

/** The same tenant in a year when nothing happened. */
export const emptyAnnual: AnnualReportData = {
  ...annualSample,
  tenantName: 'Quiet Studio',
  year: 2025,
  generatedAt: '2026-01-02T08:00:00.000Z',
  members: 1,
  pocs: { total: 0, byMonth: Array(12).fill(0), byLanguage: [], topTags: [], favorites: 0 },
  dojos: { total: 0, minutes: 0, participants: 0, recordings: 0, minutesByMonth: Array(12).fill(0) },
};

export const emptyBilling: BillingReportData = {
  ...billingSample,
  tenantName: 'Quiet Studio',
  year: 2025,
  generatedAt: '2026-01-02T08:00:00.000Z',
  payments: {
    count: 0,
    totalCents: 0,
    byMonth: Array.from({ length: 12 }, () => ({ count: 0, totalCents: 0 })),
  },
  failedPayments: 0,
  subscription: { plan: 'free', status: 'trialing', expiresAt: null, autoRenew: false },
};

export const unicodeName = '日本語 🚀 Ünïcødé Ελλάδα';
