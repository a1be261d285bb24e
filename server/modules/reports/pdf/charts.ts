/**
 * Charts as vector graphics: Apache ECharts renders each one server-side to SVG (its SSR SVG renderer, no DOM,
 * no browser) and svg-to-pdfkit draws that SVG into the PDF, so bars stay sharp and labels stay real text.
 */
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption } from 'echarts/charts';
import type { GridComponentOption } from 'echarts/components';
import SVGtoPDF from 'svg-to-pdfkit';
import { FONT, measureText, safeText } from './fonts.ts';
import { SHORT_MONTHS } from './format.ts';
import { COLOR, contentWidth, ensureSpace } from './layout.ts';

echarts.use([BarChart, GridComponent, SVGRenderer]);
// ECharts measures label widths with the fonts the PDF draws them in.
echarts.setPlatformAPI({ measureText });

type Option = ComposeOption<BarSeriesOption | GridComponentOption>;

const TEXT = { fontFamily: FONT.regular, fontSize: 10, color: COLOR.muted } as const;
const AXIS_LINE = { lineStyle: { color: COLOR.faint } } as const;
const SPLIT_LINE = { lineStyle: { color: COLOR.rule, type: 'dashed' } } as const;

/** Renders an ECharts option to SVG and draws it at the cursor over the content width. */
export function drawChart(doc: PDFKit.PDFDocument, option: Option, height: number): void {
  const width = contentWidth(doc);
  ensureSpace(doc, height + 8);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption({ animation: false, textStyle: TEXT, ...option });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const x = doc.page.margins.left;
  const y = doc.y;
  SVGtoPDF(doc, svg, x, y, {
    width,
    height,
    assumePt: true,
    fontCallback: (_family: string, bold: boolean) => (bold ? FONT.bold : FONT.regular),
    warningCallback: () => undefined,
  });
  doc.x = x;
  doc.y = y + height + 8;
}

export interface MonthlyChart {
  readonly values: readonly number[];
  readonly color?: string;
  /** Formats the value labels on the bars (zeros get none). */
  readonly label?: (value: number) => string;
  /** Formats the ticks of the value axis. */
  readonly axis?: (value: number) => string;
  /** Whole numbers only on the value axis (counts). */
  readonly integer?: boolean;
}

/** Twelve months, Jan..Dec, as columns with their values on top. */
export function monthlyChart(doc: PDFKit.PDFDocument, c: MonthlyChart): void {
  const color = c.color ?? COLOR.accent;
  const label = c.label ?? String;
  const data = SHORT_MONTHS.map((_, i) => c.values[i] ?? 0);
  const labels = {
    show: true,
    position: 'top' as const,
    ...TEXT,
    color: COLOR.ink,
    formatter: (p: { value: unknown }) => (Number(p.value) ? label(Number(p.value)) : ''),
  };
  const series: BarSeriesOption = {
    type: 'bar',
    data,
    barWidth: '58%',
    itemStyle: { color, borderRadius: [3, 3, 0, 0] },
    label: labels,
  };
  drawChart(
    doc,
    {
      grid: {
        left: 4,
        right: 8,
        top: 22,
        bottom: 4,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      xAxis: {
        type: 'category',
        data: SHORT_MONTHS,
        axisTick: { show: false },
        axisLine: AXIS_LINE,
        axisLabel: { ...TEXT, interval: 0 },
        boundaryGap: true,
      },
      yAxis: {
        type: 'value',
        minInterval: c.integer ? 1 : 0,
        splitNumber: 4,
        axisLabel: { ...TEXT, formatter: c.axis ?? ((v: number) => String(v)) },
        splitLine: SPLIT_LINE,
      },
      series: [series],
    },
    200,
  );
}

export interface RankingChart {
  readonly items: readonly { readonly label: string; readonly value: number }[];
  readonly color?: string;
  readonly label?: (value: number) => string;
}

/** Horizontal bars, largest on top, a row a label. */
export function rankingChart(doc: PDFKit.PDFDocument, c: RankingChart): void {
  const color = c.color ?? COLOR.accent;
  const label = c.label ?? String;
  const height = 16 + c.items.length * 24;
  drawChart(
    doc,
    {
      grid: {
        left: 4,
        right: 44,
        top: 4,
        bottom: 4,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      xAxis: { type: 'value', show: false, minInterval: 1 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: c.items.map((i) => safeText(i.label)),
        axisTick: { show: false },
        axisLine: AXIS_LINE,
        axisLabel: { ...TEXT, color: COLOR.ink, width: 150, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          data: c.items.map((i) => i.value),
          barWidth: 14,
          itemStyle: { color, borderRadius: [0, 3, 3, 0] },
          label: {
            show: true,
            position: 'right',
            ...TEXT,
            color: COLOR.ink,
            formatter: (p: { value: unknown }) => label(Number(p.value)),
          },
        },
      ],
    },
    height,
  );
}
