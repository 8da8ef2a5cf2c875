// Types for fft.js (indutny), which ships none: the calls gankit makes.
declare module 'fft.js' {
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    createComplexArray(): number[];
    /** Fills the left half of `out` (interleaved re, im) with the spectrum of the real `input`. */
    realTransform(out: number[] | Float64Array, input: ArrayLike<number>): void;
    completeSpectrum(spectrum: number[] | Float64Array): void;
    /** Inverse transform of the interleaved complex `data` into `out`, scaled by 1/size. */
    inverseTransform(out: number[] | Float64Array, data: ArrayLike<number>): void;
  }
}
