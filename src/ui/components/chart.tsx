import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#333';

// Okabe–Ito and friends: tell-apart-able with common colour-vision deficiencies; "other" is grey.
const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7F6BB0', '#B8860B', '#2F4F4F', '#F0E442', '#8C564B', '#17BECF'];
export const otherColor = '#9AA0A6';

export type StackedSeries = { label: string; values: number[]; other?: boolean };

/** A stacked bar chart over time buckets; the canvas is an image to assistive tech, with a text summary. */
export function StackedBars(props: { labels: string[]; series: StackedSeries[]; format: (value: number) => string; summary: string; height?: number; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const datasets = props.series.map((series, index) => ({
      label: series.label,
      data: series.values,
      backgroundColor: series.other ? otherColor : palette[index % palette.length],
      borderWidth: 0,
      stack: 'all',
      maxBarThickness: 48,
    }));
    const labels = props.labels.map((label) => (label.length > 10 ? `${label.slice(5, 10)} ${label.slice(11, 16)}` : label.slice(5)));
    if (chart.current) {
      chart.current.data.labels = labels;
      chart.current.data.datasets = datasets;
      chart.current.update();
      return;
    }
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 } },
          y: { stacked: true, beginAtZero: true, ticks: { callback: (value) => props.format(Number(value)) } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${props.format(Number(item.raw))}` } },
        },
      },
    });
  }, [props.labels, props.series, props.format]);
  useEffect(() => () => chart.current?.destroy(), []);
  return (
    <div class="chart" style={{ height: `${props.height ?? 260}px` }} data-testid={props.testId}>
      <canvas ref={canvas} role="img" aria-label={props.summary} />
    </div>
  );
}
