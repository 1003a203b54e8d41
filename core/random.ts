/**
 * Seeded pseudo-random numbers for the plan's random axes and the simulator.
 * sfc32 (Chris Doty-Humphrey's small fast counter): 128-bit state, passes PractRand, and is cheap in JS
 * because it stays in 32-bit integer arithmetic. No clock, no global state: same seed, same sequence.
 */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the sequence for `seed`, exactly as `new Random(seed)`; lets a hot loop reuse one generator. */
  reseed(seed: number): void {
    // int32 views of the same constants (every use is mod 2^32): keeps V8's fields small integers, ~2× faster
    this.a = 0x9e3779b9 | 0;
    this.b = 0x243f6a88 | 0;
    this.c = 0xb7e15162 | 0;
    this.d = seed | 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller; one value per call keeps the state simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given rate (events per unit). */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** Multiplicative jitter around 1 with relative spread `share` (normal, clamped to stay positive). */
  jitter(share: number): number {
    if (share === 0) return 1;
    return Math.max(0.05, 1 + share * this.normal());
  }
}
