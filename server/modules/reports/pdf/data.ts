/** The figures of one tenant's year that the PDF reports are rendered from; the caller builds them from SQL. */

export interface AnnualReportData {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly year: number;
  readonly generatedAt: string; // ISO
  readonly members: number;
  readonly pocs: {
    readonly total: number;
    readonly byMonth: readonly number[]; // 12 entries, Jan..Dec
    readonly byLanguage: readonly { readonly language: string; readonly count: number }[]; // sorted desc
    readonly topTags: readonly { readonly tag: string; readonly count: number }[]; // ≤ 10, sorted desc
    readonly favorites: number;
  };
  readonly dojos: {
    readonly total: number;
    readonly minutes: number;
    readonly participants: number;
    readonly recordings: number;
    readonly minutesByMonth: readonly number[] /* 12 */;
  };
}

export interface BillingReportData {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly year: number;
  readonly generatedAt: string;
  readonly currency: string; // ISO 4217, e.g. USD
  readonly payments: {
    readonly count: number;
    readonly totalCents: number;
    readonly byMonth: readonly { readonly count: number; readonly totalCents: number }[] /* 12 */;
  };
  readonly failedPayments: number;
  readonly subscription: {
    readonly plan: string;
    readonly status: string;
    readonly expiresAt: string | null;
    readonly autoRenew: boolean;
  };
}
