import { Page } from 'playwright-core';

/** A piece of text a chart drew, its box in CSS pixels from the canvas's top left corner. */
export interface DrawnText {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Records the text every canvas of the page draws, as the browser measures it, from its last full clear on:
 * what the last frame shows. Injected before any page script, like the watcher's CSP listener.
 */
const recorder = `
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const clearRect = proto.clearRect;
  proto.clearRect = function (x, y, width, height) {
    const m = this.getTransform();
    if (Math.abs(m.a * width) >= this.canvas.width && Math.abs(m.d * height) >= this.canvas.height) this.canvas.__texts = [];
    return clearRect.call(this, x, y, width, height);
  };
  proto.fillText = function (text, x, y, maxWidth) {
    const m = this.getTransform();
    const size = this.measureText(text);
    const [a, b] = [
      [x - size.actualBoundingBoxLeft, y - size.actualBoundingBoxAscent],
      [x + size.actualBoundingBoxRight, y + size.actualBoundingBoxDescent],
    ].map(([px, py]) => [m.a * px + m.c * py + m.e, m.b * px + m.d * py + m.f]);
    (this.canvas.__texts ??= []).push({
      text: String(text),
      left: Math.min(a[0], b[0]), right: Math.max(a[0], b[0]), top: Math.min(a[1], b[1]), bottom: Math.max(a[1], b[1]),
    });
    return fillText.call(this, text, x, y, maxWidth);
  };
`;

/** Makes the page record what its canvases draw; call before it loads. */
export async function recordDrawnText(page: Page): Promise<void> {
  await page.addInitScript(recorder);
}

/** The text a chart's canvases show now, and the chart's size, in CSS pixels. */
export async function drawnText(page: Page, chart: string): Promise<{ width: number; height: number; texts: DrawnText[] }> {
  return page.locator(chart).evaluate((element) => {
    const texts: DrawnText[] = [];
    for (const canvas of element.querySelectorAll('canvas')) {
      const scale = canvas.width / canvas.clientWidth;
      const drawn = (canvas as unknown as { __texts?: DrawnText[] }).__texts ?? [];
      for (const t of drawn) texts.push({ text: t.text, left: t.left / scale, right: t.right / scale, top: t.top / scale, bottom: t.bottom / scale });
    }
    return { width: element.clientWidth, height: element.clientHeight, texts };
  });
}

/** The pairs of texts whose boxes overlap by more than half a pixel each way. */
export function overlapping(texts: DrawnText[]): [string, string][] {
  const pairs: [string, string][] = [];
  texts.forEach((a, i) =>
    texts.slice(i + 1).forEach((b) => {
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 0.5 && y > 0.5) pairs.push([a.text, b.text]);
    }),
  );
  return pairs;
}

/** The texts that reach past the chart's edges by more than half a pixel. */
export function cut(drawn: { width: number; height: number; texts: DrawnText[] }): string[] {
  return drawn.texts
    .filter((t) => t.left < -0.5 || t.top < -0.5 || t.right > drawn.width + 0.5 || t.bottom > drawn.height + 0.5)
    .map((t) => t.text);
}
