import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';

type AnyPanel = dashboard.Panel | dashboard.RowPanel;

const WIDTH = 24;

/**
 * Places panels left to right in rows of 24 columns, wrapping below the tallest panel of the line.
 * Positions are computed here rather than by the SDK's auto-layout so that they depend only on the
 * panels' own order and sizes.
 */
export class Grid {
  private readonly out: AnyPanel[] = [];
  private x = 0;
  private y = 0;
  private lineHeight = 0;

  /** A full-width row header; the panels added after it belong to it. */
  row(builder: cog.Builder<dashboard.RowPanel>): this {
    this.newLine();
    this.out.push({ ...builder.build(), gridPos: { h: 1, w: WIDTH, x: 0, y: this.y } });
    this.y += 1;
    return this;
  }

  add(builder: cog.Builder<dashboard.Panel>, w: number, h: number): this {
    if (this.x + w > WIDTH) this.newLine();
    this.out.push({ ...builder.build(), gridPos: { h, w, x: this.x, y: this.y } });
    this.x += w;
    this.lineHeight = Math.max(this.lineHeight, h);
    return this;
  }

  /** Starts the next panel on a new line. */
  newLine(): this {
    if (this.x > 0) {
      this.y += this.lineHeight;
      this.x = 0;
      this.lineHeight = 0;
    }
    return this;
  }

  panels(): AnyPanel[] {
    return [...this.out];
  }
}
