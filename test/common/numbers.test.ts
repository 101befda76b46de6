// The CLI's number and duration parsers (toolchain/common/numbers.ts; ../shared/CLI.md: decimal or 0x-hex numbers,
// durations as `hasm meter run --for` and `hasm fleet run --for/--disconnect` take them).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../toolchain/common/errors.ts';
import { parseDuration, parseInteger } from '../../toolchain/common/numbers.ts';

describe('parseDuration', () => {
  it('reads a count and one unit into seconds', () => {
    expect(parseDuration('90s', '--for')).toBe(90);
    expect(parseDuration('30m', '--for')).toBe(1800);
    expect(parseDuration('1.5h', '--for')).toBe(5400);
    expect(parseDuration(' 1d ', '--for')).toBe(86400);
  });
  it('names the flag and the expected form on bad input', () => {
    for (const bad of ['', '10', 'h', '1w', '-1h', '1 h', '1h30m']) {
      expect(() => parseDuration(bad, '--disconnect')).toThrow(UsageError);
      expect(() => parseDuration(bad, '--disconnect')).toThrow(/^--disconnect: expected a duration like 90s/);
    }
  });
});

describe('parseInteger', () => {
  it('reads decimal, 0x-hex and negatives', () => {
    expect(parseInteger('42', 'x')).toBe(42);
    expect(parseInteger('0xFFfe', 'x')).toBe(0xfffe);
    expect(parseInteger('-7', 'x')).toBe(-7);
  });
  it('refuses what is not a number, naming what', () => {
    expect(() => parseInteger('12a', '--port')).toThrow(/^--port: expected a decimal or 0x-hex number, got '12a'/);
    expect(() => parseInteger('99999999999999999999', '--port')).toThrow(/too large/);
  });
});
