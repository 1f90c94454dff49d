/**
 * How a table shows a number: integers as they are; other numbers to 6 decimal places with trailing zeros dropped, as
 * pandas shows a DataFrame (`display.precision` 6), so `np.sin(x)` reads 0.198669, not 0.19866933079506122. Very
 * small or very large numbers keep 6 significant digits in exponent form. The exact value is the cell's tooltip, and
 * sorting and filtering use it.
 */
export function tableNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const size = Math.abs(value);
  if (size < 1e-4 || size >= 1e15) return value.toPrecision(6).replace(/\.?0+e/, 'e');
  return value.toFixed(6).replace(/\.?0+$/, '');
}

/** A number as a table cell shows it, with its exact value as the tooltip when the text rounded it. */
export function shownNumber(value: number): { text: string; title: string | undefined } {
  const text = tableNumber(value);
  const exact = String(value);
  return { text, title: text === exact ? undefined : exact };
}
