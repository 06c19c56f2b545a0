/**
 * DOC: plain-text aligned tables for the `petrel show` commands (BIRD / FRR summary style).
 *
 * Columns are separated by two spaces and padded to their widest cell; numeric columns align right. Trailing
 * spaces are trimmed, so rows stay grep- and diff-friendly. Pure string formatting, no terminal control codes.
 */

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

/** Formats `rows` under `columns`; every line ends with '\n'. An empty table is just the header line. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        return c.align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [columns.map((c) => c.header), ...rows].map((r) => `${line(r)}\n`).join('');
}

/** A duration in FRR's Up/Down style: `00:01:02` under a day, `2d03h04m` under a week, `5w2d03h` beyond. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d === 0) return `${two(h)}:${two(m)}:${two(s % 60)}`;
  if (d < 7) return `${d}d${two(h)}h${two(m)}m`;
  return `${Math.floor(d / 7)}w${d % 7}d${two(h)}h`;
}
