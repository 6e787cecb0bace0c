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
import { Drill } from './drill';

// Only what the console draws is bundled. Canvas, and tooltips drawn on it (renderMode: 'richText'): the
// HTML tooltip sets style attributes, which the console's Content-Security-Policy refuses.
use([SankeyChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  SankeySeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** A chart's option, its description in words for those who cannot see it, and the height it needs. */
export interface Picture {
  option: ChartOption;
  label: string;
  /** Pixels; the style sheet's height when absent. */
  height?: number;
}

const dark = matchMedia('(prefers-color-scheme: dark)');

/**
 * An ECharts chart in an element, drawn in the page's colour scheme for the element's width, and drawn
 * again when either changes. A click on a part that names a drill-down hands it to onDrill.
 */
export class Chart {
  private chart: ECharts;
  private draw?: (width: number) => Picture;
  private width = 0;

  constructor(
    private readonly element: HTMLElement,
    private readonly onDrill: (drill: Drill) => void,
  ) {
    this.chart = this.create();
    dark.addEventListener('change', () => {
      this.chart.dispose();
      this.chart = this.create();
      this.render();
    });
    new ResizeObserver(() => {
      if (this.element.clientWidth !== this.width) this.render();
      else this.chart.resize();
    }).observe(element);
  }

  private create(): ECharts {
    const chart = init(this.element, dark.matches ? 'dark' : undefined, { renderer: 'canvas' });
    chart.on('click', (params) => {
      const drill = (params.data as { drill?: Drill } | undefined)?.drill;
      if (drill) this.onDrill(drill);
    });
    return chart;
  }

  /** Draws what `draw` makes of the element's width, without animation: a view shows as it is. */
  show(draw: (width: number) => Picture): void {
    this.draw = draw;
    this.render();
  }

  private render(): void {
    if (!this.draw) return;
    this.width = this.element.clientWidth;
    const { option, label, height } = this.draw(this.width);
    // The style object, not a style attribute: the page's Content-Security-Policy allows only the former.
    this.element.style.height = height ? `${height}px` : '';
    this.chart.resize();
    this.chart.setOption(
      {
        backgroundColor: 'transparent',
        animation: false,
        ...option,
        tooltip: { ...(option.tooltip as TooltipComponentOption), renderMode: 'richText', confine: true },
      },
      { notMerge: true },
    );
    this.element.setAttribute('aria-label', label);
  }
}
