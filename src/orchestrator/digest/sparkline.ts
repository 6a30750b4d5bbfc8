const BARS = "▁▂▃▄▅▆▇█";

/** Numbers → a one-line bar chart ("▁▃█"), scaled to the largest; all zero draws the floor. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((value) => {
      if (max <= 0 || value <= 0) return BARS[0];
      const level = Math.min(BARS.length - 1, Math.ceil((value / max) * (BARS.length - 1)));
      return BARS[level];
    })
    .join("");
}
