/**
 * A seeded random number generator (xoshiro128**) whose whole state can be
 * saved in a checkpoint and restored, so a resumed run draws the same numbers
 * as one that was never stopped.
 */
export interface RngState {
  words: [number, number, number, number];
  /** The second normal of the last Box–Muller pair, not yet handed out. */
  spareNormal: number | null;
}

function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`The seed must be an integer, got ${seed}.`);
    const next = splitMix32(seed ^ Math.floor(seed / 2 ** 32));
    this.s = Uint32Array.from([next(), next(), next(), next()]);
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.s = Uint32Array.from(state.words);
    rng.spare = state.spareNormal;
    return rng;
  }

  state(): RngState {
    const [a, b, c, d] = this.s;
    return { words: [a, b, c, d], spareNormal: this.spare };
  }

  /**
   * Lends the live state to code that draws as `nextUint32` would (xoshiro128**
   * in src/native, or the unrolled loop of `bernoulliIndices`) and advances it
   * in place. A subclass whose draws are not this generator's (a test's
   * replay) returns false without calling `draw`, and the caller draws with
   * `nextUint32`.
   */
  drawFromState(draw: (state: Uint32Array) => void): boolean {
    draw(this.s);
    return true;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1), with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal, by the Box–Muller transform. */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** n standard normals, scaled by `std`. */
  normals(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }

  /** n uniforms in [low, high). */
  uniforms(n: number, low: number, high: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /**
   * The indices i < count for which `uniform() < rate`, drawn in order: the
   * same numbers and decisions as that loop, with xoshiro128** unrolled over
   * locals. DP-SGD's Poisson batch asks 60,000 of them a step, which took a
   * loop of method calls 1 ms; this, under half that.
   */
  bernoulliIndices(count: number, rate: number): Uint32Array {
    const chosen: number[] = [];
    const drawn = this.drawFromState((state) => {
      // uniform() < rate ⇔ its 53 bits < rate·2⁵³: both sides are exact in doubles.
      const limit = rate * 9007199254740992;
      // The state as int32s (| 0), so that V8 keeps every value a small integer.
      let [s0, s1, s2, s3] = Array.from(state, (word) => word | 0);
      let high = 0;
      // uniform() takes two draws: an even one gives its high 27 bits, the odd one after it the low 26.
      for (let draw = 0; draw < 2 * count; draw++) {
        const scrambled = Math.imul(s1, 5);
        const word = Math.imul((scrambled << 7) | (scrambled >>> 25), 9);
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        if ((draw & 1) === 0) high = word >>> 5;
        else if (high * 67108864 + (word >>> 6) < limit) chosen.push(draw >>> 1);
      }
      state.set([s0, s1, s2, s3]);
    });
    if (!drawn) for (let i = 0; i < count; i++) if (this.uniform() < rate) chosen.push(i);
    return Uint32Array.from(chosen);
  }

  /** A random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** An independent stream for one purpose (weights, training, sample grid) of one seed. */
export function deriveRng(seed: number, stream: string): Rng {
  let hash = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  const rng = new Rng(seed);
  const words = rng.state().words.map((word, i) => (word ^ splitMix32(hash + i)()) >>> 0) as RngState['words'];
  return Rng.fromState({ words, spareNormal: null });
}
