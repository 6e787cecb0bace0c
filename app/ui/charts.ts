import { BarChart, BarSeriesOption, SankeyChart, SankeySeriesOption } from 'echarts/charts';
import {
  GridComponent,
  GridComponentOption,
  LegendComponent,
  LegendComponentOption,
  TooltipComponent,
  TooltipComponentOption,
} from 'echarts/components';
import { ComposeOption, ECharts, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only what the console draws is bundled. Canvas, and tooltips drawn on it (renderMode: 'richText'): the
// HTML tooltip sets style attributes, which the console's Content-Security-Policy refuses.
use([SankeyChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  SankeySeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

const dark = matchMedia('(prefers-color-scheme: dark)');
const still = matchMedia('(prefers-reduced-motion: reduce)');

/** An ECharts chart in an element, drawn in the page's colour scheme and redrawn when it or the size changes. */
export class Chart {
  private chart: ECharts;
  private option?: ChartOption;

  constructor(private readonly element: HTMLElement) {
    this.chart = this.create();
    dark.addEventListener('change', () => {
      this.chart.dispose();
      this.chart = this.create();
      if (this.option) this.chart.setOption(this.option);
    });
    new ResizeObserver(() => this.chart.resize()).observe(element);
  }

  private create(): ECharts {
    return init(this.element, dark.matches ? 'dark' : undefined, { renderer: 'canvas' });
  }

  /** Draws the option; label describes it in words for those who cannot see it. */
  show(option: ChartOption, label: string): void {
    this.option = {
      backgroundColor: 'transparent',
      animation: !still.matches,
      ...option,
      tooltip: { ...(option.tooltip as TooltipComponentOption), renderMode: 'richText', confine: true },
    };
    this.chart.setOption(this.option, { notMerge: true });
    this.element.setAttribute('aria-label', label);
  }
}
