// Physical units of Register scaler_unit (Blue Book, DLMS UA 1000-1, class 3 attribute 3: "unit" enumeration).
// Only the names; 255 is "count" (no unit), 254 "other unit", 0 and unlisted values are shown as "unit N".

const UNITS: Record<number, string> = {
  1: 'a', 2: 'mo', 3: 'wk', 4: 'd', 5: 'h', 6: 'min', 7: 's', 8: '°', 9: '°C', 10: 'currency',
  11: 'm', 12: 'm/s', 13: 'm³', 14: 'm³', 15: 'm³/h', 16: 'm³/h', 17: 'm³/d', 18: 'm³/d', 19: 'l', 20: 'kg',
  21: 'N', 22: 'Nm', 23: 'Pa', 24: 'bar', 25: 'J', 26: 'J/h', 27: 'W', 28: 'VA', 29: 'var', 30: 'Wh',
  31: 'VAh', 32: 'varh', 33: 'A', 34: 'C', 35: 'V', 36: 'V/m', 37: 'F', 38: 'Ω', 39: 'Ωm²/m', 40: 'Wb',
  41: 'T', 42: 'A/m', 43: 'H', 44: 'Hz', 45: '1/(Wh)', 46: '1/(varh)', 47: '1/(VAh)', 48: 'V²h', 49: 'A²h',
  50: 'kg/s', 51: 'S', 52: 'K', 53: '1/(V²h)', 54: '1/(A²h)', 55: '1/m³', 56: '%', 57: 'Ah',
  254: 'other unit', 255: '',
};

export function unitName(unit: number): string {
  return UNITS[unit] ?? `unit ${unit}`;
}

/** value × 10^scaler, written exactly (no binary floating-point digits): 123456 with scaler -3 is "123.456". */
export function scaledValue(value: number | bigint, scaler: number): string {
  const neg = value < 0;
  let digits = (neg ? -BigInt(value) : BigInt(value)).toString();
  if (scaler >= 0) digits += '0'.repeat(scaler);
  else {
    const n = -scaler;
    digits = digits.padStart(n + 1, '0');
    digits = `${digits.slice(0, -n)}.${digits.slice(-n)}`;
  }
  return (neg ? '-' : '') + digits;
}
