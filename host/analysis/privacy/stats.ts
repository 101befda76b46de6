// Small summaries the study reports: means over months, and the five numbers of a box plot.

/** A growable buffer of finite values (NaN dropped), stored as float32 to keep 100 k samples per series small. */
export class Samples {
  private buf = new Float32Array(1024);
  private n = 0;
  private sum = 0;
  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (this.n === this.buf.length) {
        const b = new Float32Array(this.buf.length * 2);
        b.set(this.buf);
        this.buf = b;
      }
      this.buf[this.n++] = v;
      this.sum += v;
    }
  }
  get count(): number {
    return this.n;
  }
  mean(): number {
    return this.n ? this.sum / this.n : 0;
  }
  box(): Box {
    const s = this.buf.slice(0, this.n).sort();
    const q = (p: number) => (this.n ? s[Math.min(this.n - 1, Math.floor(p * (this.n - 1)))]! : 0);
    return { min: q(0), p5: q(0.05), q1: q(0.25), median: q(0.5), q3: q(0.75), p95: q(0.95), max: q(1), mean: this.mean() };
  }
}

export interface Box {
  min: number;
  p5: number;
  q1: number;
  median: number;
  q3: number;
  p95: number;
  max: number;
  mean: number;
}

/** Mean of per-month percentages (seed §5.4.2: "we finally average our results over all months"). */
export class MonthlyMean {
  private total = 0;
  private months = 0;
  add(percent: number): void {
    this.total += percent;
    this.months++;
  }
  mean(): number {
    return this.months ? this.total / this.months : 0;
  }
}
