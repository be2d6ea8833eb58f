import { useEffect, useRef } from 'react';

/**
 * Draws an Apache ECharts option (as the server builds it: GET /api/charts/:id/data). ECharts is
 * imported when the first chart is drawn, so pages without charts never load it.
 */
export function EChart({ option, label, height = 320 }: { option: unknown; label: string; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | undefined;
    const resize = () => chart?.resize();
    void import('echarts').then((echarts) => {
      if (disposed || !element.current) return;
      const instance = echarts.init(element.current, undefined, { renderer: 'canvas' });
      instance.setOption(option as never);
      chart = instance;
      window.addEventListener('resize', resize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', resize);
      chart?.dispose();
    };
  }, [option]);
  return <div className="echart" ref={element} role="img" aria-label={label} style={{ height }} />;
}
