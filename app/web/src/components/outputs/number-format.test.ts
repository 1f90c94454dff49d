import { shownNumber, tableNumber } from './number-format';

describe('tableNumber', () => {
  it('shows integers whole and other numbers to 6 decimal places, trailing zeros dropped, as pandas does', () => {
    expect(tableNumber(42)).toBe('42');
    expect(tableNumber(-12345678901)).toBe('-12345678901');
    expect(tableNumber(0.19866933079506122)).toBe('0.198669');
    expect(tableNumber(14.577379737113251)).toBe('14.57738');
    expect(tableNumber(24.5)).toBe('24.5');
    expect(tableNumber(-0.9961646088358407)).toBe('-0.996165');
    expect(tableNumber(1234567.891234567)).toBe('1234567.891235');
  });

  it('keeps 6 significant digits in exponent form for very small and very large numbers', () => {
    expect(tableNumber(0.0000123456789)).toBe('0.0000123457');
    expect(tableNumber(1.5e-7)).toBe('1.5e-7');
    expect(tableNumber(-2.5e-9)).toBe('-2.5e-9');
    expect(tableNumber(1234567890123456.7)).toBe('1.23457e+15');
    // Doubles this large are whole numbers: shown as JavaScript writes them.
    expect(tableNumber(6.02214076e23)).toBe('6.02214076e+23');
  });

  it('gives the exact value as a tooltip only when it rounded', () => {
    expect(shownNumber(0.19866933079506122)).toEqual({ text: '0.198669', title: '0.19866933079506122' });
    expect(shownNumber(24.5)).toEqual({ text: '24.5', title: undefined });
    expect(shownNumber(3)).toEqual({ text: '3', title: undefined });
  });
});
