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

/** The tooltip of a shown number: its exact value when the table rounded it, else none. */
export function exactNumberTitle(value: number): string | undefined {
  const shown = tableNumber(value);
  return shown === String(value) ? undefined : String(value);
}
