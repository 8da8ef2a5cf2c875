// OpenBLAS matrix products on the TF.js wasm backend's heap.
//
// The wasm backend keeps every tensor in one linear memory. Rather than copy
// operands out and results back, this addon receives that memory (a
// Uint8Array over it) and byte offsets, and lets cblas_sgemm work in place.
// The fused epilogue (bias, activation) runs here too, so one call does what
// the stock _FusedMatMul kernel does.
#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "napi-helpers.h"
#include "thread-team.h"

// optimizers.c and dense.c
void register_optimizers(napi_env env, napi_value exports);
void register_dense(napi_env env, napi_value exports);

static void apply_activation(float* out, size_t size, size_t columns, int activation, float alpha,
                             const float* prelu, size_t prelu_size) {
  switch (activation) {
    case RELU:
      for (size_t i = 0; i < size; i++) out[i] = out[i] > 0 ? out[i] : 0;
      break;
    case RELU6:
      for (size_t i = 0; i < size; i++) out[i] = out[i] < 0 ? 0 : (out[i] > 6 ? 6 : out[i]);
      break;
    case LEAKYRELU:
      for (size_t i = 0; i < size; i++) out[i] = out[i] >= 0 ? out[i] : alpha * out[i];
      break;
    case PRELU:
      // The weights broadcast along the last dimension, as in the stock kernel.
      for (size_t i = 0; i < size; i++) {
        float w = prelu[prelu_size == 1 ? 0 : (i % columns) % prelu_size];
        out[i] = out[i] >= 0 ? out[i] : w * out[i];
      }
      break;
    case SIGMOID:
      for (size_t i = 0; i < size; i++) out[i] = 1.0f / (1.0f + expf(-out[i]));
      break;
    case ELU:
      for (size_t i = 0; i < size; i++) out[i] = out[i] >= 0 ? out[i] : expm1f(out[i]);
      break;
    default:
      break;
  }
}

// matmul(heap, transA, transB, m, n, k, aOffsets, bOffsets, outOffset,
//        biasOffset, biasSize, activation, alpha, preluOffset, preluSize)
// aOffsets/bOffsets: one byte offset per output batch (broadcasting resolved
// by the caller). Offsets of -1 (as numbers) mean "absent".
static napi_value matmul(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  uint8_t* heap;
  size_t heap_length;
  if (!heap_arguments(env, info, 15, argv, &heap, &heap_length, "gankit_gemm.matmul expects 15 arguments, the heap first")) {
    return NULL;
  }
  bool trans_a, trans_b;
  int32_t m, n, k, bias_size, activation, prelu_size;
  double out_offset, bias_offset, alpha, prelu_offset;
  CHECK(napi_get_value_bool(env, argv[1], &trans_a));
  CHECK(napi_get_value_bool(env, argv[2], &trans_b));
  CHECK(napi_get_value_int32(env, argv[3], &m));
  CHECK(napi_get_value_int32(env, argv[4], &n));
  CHECK(napi_get_value_int32(env, argv[5], &k));
  uint32_t *a_offsets, *b_offsets;
  size_t batches, b_batches;
  if (!get_typed_array(env, argv[6], napi_uint32_array, (void**)&a_offsets, &batches) ||
      !get_typed_array(env, argv[7], napi_uint32_array, (void**)&b_offsets, &b_batches) || batches != b_batches) {
    napi_throw_type_error(env, NULL, "gankit_gemm.matmul: offsets must be Uint32Arrays of equal length");
    return NULL;
  }
  CHECK(napi_get_value_double(env, argv[8], &out_offset));
  CHECK(napi_get_value_double(env, argv[9], &bias_offset));
  CHECK(napi_get_value_int32(env, argv[10], &bias_size));
  CHECK(napi_get_value_int32(env, argv[11], &activation));
  CHECK(napi_get_value_double(env, argv[12], &alpha));
  CHECK(napi_get_value_double(env, argv[13], &prelu_offset));
  CHECK(napi_get_value_int32(env, argv[14], &prelu_size));

  size_t matrix = (size_t)m * (size_t)n;
  size_t out_bytes = matrix * batches * sizeof(float);
  if (out_offset < 0 || (size_t)out_offset + out_bytes > heap_length) {
    napi_throw_range_error(env, NULL, "gankit_gemm.matmul: output lies outside the heap");
    return NULL;
  }
  float* out = (float*)(heap + (size_t)out_offset);
  const float* bias = bias_offset >= 0 ? (const float*)(heap + (size_t)bias_offset) : NULL;
  const float* prelu = prelu_offset >= 0 ? (const float*)(heap + (size_t)prelu_offset) : NULL;
  int lda = trans_a ? m : k;
  int ldb = trans_b ? k : n;

  for (size_t batch = 0; batch < batches; batch++) {
    float* c = out + batch * matrix;
    float beta = 0.0f;
    if (bias != NULL) {
      // Start from the bias rows and accumulate the product onto them (beta = 1):
      // the bias add costs no extra pass over the output.
      for (int32_t row = 0; row < m; row++) {
        float* dst = c + (size_t)row * n;
        if (bias_size == 1) {
          for (int32_t col = 0; col < n; col++) dst[col] = bias[0];
        } else {
          memcpy(dst, bias, (size_t)n * sizeof(float));
        }
      }
      beta = 1.0f;
    }
    if (k == 0) {
      if (bias == NULL) memset(c, 0, matrix * sizeof(float));
      continue;
    }
    const float* a = (const float*)(heap + a_offsets[batch]);
    const float* b = (const float*)(heap + b_offsets[batch]);
    team_sgemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, n);
  }
  apply_activation(out, matrix * batches, (size_t)n, activation, (float)alpha, prelu, (size_t)prelu_size);
  return NULL;
}

// im2col(heap, inOffset, outOffset, geometry): the NHWC input's patches as rows
// [batch·outH·outW, fH·fW·C], zero where they overhang the padding. geometry is
// an Int32Array: batch, inH, inW, C, outH, outW, fH, fW, strideH, strideW,
// dilationH, dilationW, padTop, padLeft.
static napi_value im2col(napi_env env, napi_callback_info info) {
  const char* usage = "gankit_gemm.im2col: expected (Uint8Array, number, number, Int32Array(14))";
  napi_value argv[4];
  uint8_t* heap;
  size_t heap_length;
  if (!heap_arguments(env, info, 4, argv, &heap, &heap_length, usage)) return NULL;
  int32_t* g;
  size_t g_length;
  double in_offset, out_offset;
  if (!get_typed_array(env, argv[3], napi_int32_array, (void**)&g, &g_length) || g_length != 14) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  CHECK(napi_get_value_double(env, argv[1], &in_offset));
  CHECK(napi_get_value_double(env, argv[2], &out_offset));
  const int32_t batch = g[0], in_h = g[1], in_w = g[2], channels = g[3], out_h = g[4], out_w = g[5];
  const int32_t f_h = g[6], f_w = g[7], stride_h = g[8], stride_w = g[9], dil_h = g[10], dil_w = g[11];
  const int32_t pad_top = g[12], pad_left = g[13];
  const size_t patch = (size_t)f_h * f_w * channels;
  const size_t in_bytes = (size_t)batch * in_h * in_w * channels * sizeof(float);
  const size_t out_bytes = (size_t)batch * out_h * out_w * patch * sizeof(float);
  if (in_offset < 0 || out_offset < 0 || (size_t)in_offset + in_bytes > heap_length ||
      (size_t)out_offset + out_bytes > heap_length) {
    napi_throw_range_error(env, NULL, "gankit_gemm.im2col: a tensor lies outside the heap");
    return NULL;
  }
  const float* input = (const float*)(heap + (size_t)in_offset);
  float* row = (float*)(heap + (size_t)out_offset);
  const size_t pixel = (size_t)channels * sizeof(float);
  for (int32_t b = 0; b < batch; b++) {
    const float* image = input + (size_t)b * in_h * in_w * channels;
    for (int32_t oy = 0; oy < out_h; oy++) {
      for (int32_t ox = 0; ox < out_w; ox++, row += patch) {
        float* dst = row;
        for (int32_t fy = 0; fy < f_h; fy++) {
          const int32_t iy = oy * stride_h - pad_top + fy * dil_h;
          for (int32_t fx = 0; fx < f_w; fx++, dst += channels) {
            const int32_t ix = ox * stride_w - pad_left + fx * dil_w;
            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
              memset(dst, 0, pixel);
            } else {
              memcpy(dst, image + ((size_t)iy * in_w + ix) * channels, pixel);
            }
          }
        }
      }
    }
  }
  return NULL;
}

static inline uint32_t rotl32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// xoshiro128** (the generator of src/engine/rng.ts).
static inline uint32_t xoshiro_next(uint32_t* s) {
  const uint32_t result = rotl32(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl32(s[3], 11);
  return result;
}

// The random fills take (heap, offset, count, `settings` numbers, Uint32Array(4) state): reads
// the `count` floats at `offset`, the settings and the state, or throws and returns false.
static bool random_fill_arguments(napi_env env, napi_callback_info info, size_t settings, const char* usage, float** out,
                                  size_t* count, double* values, uint32_t** state) {
  napi_value argv[8];
  uint8_t* heap;
  size_t heap_length, state_length;
  double offset, length;
  if (!heap_arguments(env, info, settings + 4, argv, &heap, &heap_length, usage)) return false;
  bool ok = get_typed_array(env, argv[settings + 3], napi_uint32_array, (void**)state, &state_length) && state_length == 4 &&
            napi_get_value_double(env, argv[1], &offset) == napi_ok && napi_get_value_double(env, argv[2], &length) == napi_ok;
  for (size_t v = 0; ok && v < settings; v++) ok = napi_get_value_double(env, argv[3 + v], &values[v]) == napi_ok;
  if (!ok) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  if (offset < 0 || length < 0 || (size_t)offset + (size_t)length * sizeof(float) > heap_length) {
    napi_throw_range_error(env, NULL, usage);
    return false;
  }
  *out = (float*)(heap + (size_t)offset);
  *count = (size_t)length;
  return true;
}

// xoshiro128**'s jump: the state 2⁶⁴ draws ahead, for streams that never overlap
// (the constants of Blackman and Vigna's reference code).
static void xoshiro_jump(uint32_t* s) {
  static const uint32_t JUMP[] = {0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b};
  uint32_t t[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    for (int b = 0; b < 32; b++) {
      if (JUMP[i] & (UINT32_C(1) << b)) {
        for (int w = 0; w < 4; w++) t[w] ^= s[w];
      }
      xoshiro_next(s);
    }
  }
  memcpy(s, t, sizeof t);
}

// Noise is drawn in chunks of this many values, chunk c from the seed's state
// jumped c times: the same noise whatever the number of threads.
#define NOISE_CHUNK 65536

typedef struct {
  float* out;
  size_t n;
  float std, scale;
  uint32_t (*states)[4];
} Noise;

// The standard normal by a 128-strip ziggurat (Marsaglia & Tsang 2000): a
// lookup, a compare and a multiply for 98.8% of the values, where the polar
// method took a logarithm and a square root for every pair (13.7 ms for D's
// 1.46M parameters on one thread). Each value takes its strip and its
// magnitude from two separate draws (Doornik 2005: sharing one draw's bits
// between them skews the result). Tables in double, built once at load.
#define ZIGGURAT_EDGE 3.442619855899
static uint32_t strip_bound[128];
static float strip_width[128], strip_height[128];

static void build_ziggurat(void) {
  const double area = 9.91256303526217e-3, m = 2147483648.0;
  double x = ZIGGURAT_EDGE, previous = x;
  const double q = area / exp(-0.5 * x * x);
  strip_bound[0] = (uint32_t)(x / q * m);
  strip_bound[1] = 0;
  strip_width[0] = (float)(q / m);
  strip_width[127] = (float)(x / m);
  strip_height[0] = 1.0f;
  strip_height[127] = (float)exp(-0.5 * x * x);
  for (int i = 126; i >= 1; i--) {
    x = sqrt(-2.0 * log(area / x + exp(-0.5 * x * x)));
    strip_bound[i + 1] = (uint32_t)(x / previous * m);
    previous = x;
    strip_height[i] = (float)exp(-0.5 * x * x);
    strip_width[i] = (float)(x / m);
  }
}

// Uniform in (0, 1), never 0 (a logarithm's argument).
static inline float open_uniform(uint32_t* s) { return ((float)(xoshiro_next(s) >> 8) + 0.5f) * (1.0f / 16777216.0f); }

static float ziggurat_normal(uint32_t* s) {
  for (;;) {
    const int32_t value = (int32_t)xoshiro_next(s);
    const int strip = (int)(xoshiro_next(s) & 127);
    const uint32_t magnitude = value < 0 ? 0u - (uint32_t)value : (uint32_t)value;
    if (magnitude < strip_bound[strip]) return (float)value * strip_width[strip];
    if (strip == 0) {
      // The tail beyond the edge, by Marsaglia's exponential method.
      float x, y;
      do {
        x = -logf(open_uniform(s)) / (float)ZIGGURAT_EDGE;
        y = -logf(open_uniform(s));
      } while (y + y < x * x);
      return value > 0 ? (float)ZIGGURAT_EDGE + x : -(float)ZIGGURAT_EDGE - x;
    }
    // The wedge between strip rectangles: accept under the density.
    const float x = (float)value * strip_width[strip];
    if (strip_height[strip] + open_uniform(s) * (strip_height[strip - 1] - strip_height[strip]) < expf(-0.5f * x * x)) return x;
  }
}

static void noise_chunk(const Noise* noise, size_t chunk) {
  uint32_t* s = noise->states[chunk];
  size_t end = (chunk + 1) * NOISE_CHUNK < noise->n ? (chunk + 1) * NOISE_CHUNK : noise->n;
  for (size_t i = chunk * NOISE_CHUNK; i < end; i++) noise->out[i] = (noise->out[i] + noise->std * ziggurat_normal(s)) * noise->scale;
}

static void noise_part(const void* job, int part, int parts) {
  const Noise* noise = job;
  int chunks = (int)((noise->n + NOISE_CHUNK - 1) / NOISE_CHUNK);
  for (int c = part_start(chunks, part, parts, 1); c < part_start(chunks, part + 1, parts, 1); c++) noise_chunk(noise, (size_t)c);
}

// addGaussianNoise(heap, offset, count, std, scale, seed): adds N(0, std²) to
// `count` floats in place, then multiplies them by `scale`, by the ziggurat above on xoshiro128** seeded with the four
// words of `seed` (a Uint32Array), in chunks spread over the threads. DP-SGD
// noises every gradient entry at every step (Box–Muller in JavaScript: ~110 ms
// for D's parameters).
static napi_value add_gaussian_noise(napi_env env, napi_callback_info info) {
  Noise noise;
  double settings[2];
  uint32_t* seed;
  if (!random_fill_arguments(env, info, 2, "gankit_gemm.addGaussianNoise: expected (Uint8Array, offset, count, std, scale, Uint32Array(4)) inside the heap",
                             &noise.out, &noise.n, settings, &seed)) {
    return NULL;
  }
  noise.std = (float)settings[0];
  noise.scale = (float)settings[1];
  size_t chunks = (noise.n + NOISE_CHUNK - 1) / NOISE_CHUNK;
  noise.states = malloc((chunks > 0 ? chunks : 1) * sizeof *noise.states);
  if (!noise.states) return napi_throw_error(env, NULL, "gankit_gemm.addGaussianNoise: out of memory"), NULL;
  uint32_t s[4] = {seed[0], seed[1], seed[2], seed[3]};
  if ((s[0] | s[1] | s[2] | s[3]) == 0) s[0] = 1;  // xoshiro's one forbidden state
  for (size_t c = 0; c < chunks; c++) {
    memcpy(noise.states[c], s, sizeof s);
    xoshiro_jump(s);
  }
  team_split(noise_part, &noise, (double)noise.n * 32);
  free(noise.states);
  return NULL;
}

// dropoutMask(heap, offset, count, threshold, keep, state): `count` floats of
// an inverted-dropout mask, each keep (1/(1 − rate)) where the next xoshiro128**
// draw is ≥ threshold (rate · 2³²), else 0: exactly the mask src/models/dropout.ts
// draws in JavaScript from the same state, which this advances in place
// (`state` is the Rng's own Uint32Array(4)).
static napi_value dropout_mask(napi_env env, napi_callback_info info) {
  float* out;
  size_t n;
  double settings[2];
  uint32_t* state;
  if (!random_fill_arguments(env, info, 2, "gankit_gemm.dropoutMask: expected (Uint8Array, offset, count, threshold, keep, Uint32Array(4)) inside the heap",
                             &out, &n, settings, &state)) {
    return NULL;
  }
  const double threshold = settings[0];
  const float kept = (float)settings[1];
  for (size_t i = 0; i < n; i++) out[i] = (double)xoshiro_next(state) >= threshold ? kept : 0.0f;
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threads;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &threads));
  team_set_threads(threads);
  return NULL;
}

/* OpenBLAS's build: version, target and threading, for gankit doctor. */
static napi_value blas_config(napi_env env, napi_callback_info info) {
  napi_value result;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"matmul", NULL, matmul, NULL, NULL, NULL, napi_default, NULL},
      {"im2col", NULL, im2col, NULL, NULL, NULL, napi_default, NULL},
      {"addGaussianNoise", NULL, add_gaussian_noise, NULL, NULL, NULL, napi_default, NULL},
      {"dropoutMask", NULL, dropout_mask, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"blasConfig", NULL, blas_config, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, 6, properties));
  build_ziggurat();
  register_optimizers(env, exports);
  register_dense(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
