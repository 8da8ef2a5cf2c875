// Fused optimizer updates on the TF.js wasm backend's heap: Adam, RMSProp and
// the generator's moving average, each one pass over its arrays instead of
// TF.js's chain of elementwise kernels (a dozen passes and as many fresh
// tensors a variable). Each mirrors the TF.js optimizer's float32 arithmetic
// operation by operation (built with -ffp-contract=off, so no fused
// multiply-adds). The parts of each array go to the threads of thread-team.c
// (an OpenMP team, tried before, was left spinning after its loop and took
// the cores from the next product: a step went from 42 to 72 ms).
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "napi-helpers.h"
#include "thread-team.h"

// One update over elements [begin, end) of its arrays.
typedef struct Update Update;
struct Update {
  size_t n;
  float* array[4];
  const float* s;
  void (*range)(const Update* u, size_t begin, size_t end);
};

static void update_part(const void* job, int part, int parts) {
  const Update* u = job;
  // Parts on 64-byte boundaries, so that no two threads share a cache line.
  size_t first = part * (u->n / parts) & ~(size_t)15, end = part + 1 == parts ? u->n : (part + 1) * (u->n / parts) & ~(size_t)15;
  u->range(u, first, end);
}

// The float32 arrays at the byte offsets in argv[first..first+count), each
// `n` floats long and inside the heap; throws a RangeError otherwise.
static bool heap_arrays(napi_env env, napi_value* argv, size_t first, size_t count, uint8_t* heap, size_t heap_length,
                        size_t n, float** arrays, const char* name) {
  for (size_t a = 0; a < count; a++) {
    double offset;
    if (napi_get_value_double(env, argv[first + a], &offset) != napi_ok || offset < 0 ||
        (size_t)offset + n * sizeof(float) > heap_length || ((size_t)offset & 3) != 0) {
      napi_throw_range_error(env, NULL, name);
      return false;
    }
    arrays[a] = (float*)(heap + (size_t)offset);
  }
  return true;
}

// The settings: a Float32Array of exactly `count` values.
static bool settings(napi_env env, napi_value value, size_t count, float** out) {
  size_t length;
  return get_typed_array(env, value, napi_float32_array, (void**)out, &length) && length == count;
}

// Every update takes (heap, n, `arrays` byte offsets, Float32Array settings): reads them into `n`,
// `array` and `s`, or throws and returns false.
static bool update_arguments(napi_env env, napi_callback_info info, size_t arrays, size_t setting_count, const char* usage,
                             size_t* n, float** array, float** s) {
  napi_value argv[8];
  uint8_t* heap;
  size_t heap_length;
  double count;
  if (!heap_arguments(env, info, arrays + 3, argv, &heap, &heap_length, usage)) return false;
  if (napi_get_value_double(env, argv[1], &count) != napi_ok || count < 0 || !settings(env, argv[arrays + 2], setting_count, s)) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  *n = (size_t)count;
  return heap_arrays(env, argv, 2, arrays, heap, heap_length, *n, array, usage);
}

// A call of one update: reads its arguments (or throws) and runs `range` over
// the parts. Each element is a few memory-bound operations: worth a helper from
// about 64k elements.
static napi_value run_update(napi_env env, napi_callback_info info, size_t arrays, size_t setting_count, const char* usage,
                             void (*range)(const Update* u, size_t begin, size_t end)) {
  Update u = {.range = range};
  float* s;
  if (!update_arguments(env, info, arrays, setting_count, usage, &u.n, u.array, &s)) return NULL;
  u.s = s;
  team_split(update_part, &u, (double)u.n * 32);
  return NULL;
}

// adamUpdate(heap, n, value, gradient, m, v, settings): settings are
// [β1, 1 − β1, β2, 1 − β2, 1 − β1^t, 1 − β2^t, ε, −lr], as float32.
WIDEST_VECTORS static void adam_range(const Update* u, size_t begin, size_t end) {
  float *value = u->array[0], *gradient = u->array[1], *m = u->array[2], *v = u->array[3];
  const float* s = u->s;
  const float beta1 = s[0], one_minus_beta1 = s[1], beta2 = s[2], one_minus_beta2 = s[3];
  const float one_minus_acc_beta1 = s[4], one_minus_acc_beta2 = s[5], epsilon = s[6], minus_lr = s[7];
  for (size_t i = begin; i < end; i++) {
    const float g = gradient[i];
    const float first = m[i] * beta1 + g * one_minus_beta1;
    const float second = v[i] * beta2 + (g * g) * one_minus_beta2;
    m[i] = first;
    v[i] = second;
    const float corrected_first = first / one_minus_acc_beta1;
    const float corrected_second = second / one_minus_acc_beta2;
    value[i] = (corrected_first / (sqrtf(corrected_second) + epsilon)) * minus_lr + value[i];
  }
}

static napi_value adam_update(napi_env env, napi_callback_info info) {
  return run_update(env, info, 4, 8, "gankit_gemm.adamUpdate: expected (Uint8Array, n, value, gradient, m, v, Float32Array(8)) inside the heap", adam_range);
}

// rmspropUpdate(heap, n, value, gradient, meanSquare, settings): settings are
// [decay, 1 − decay, lr, ε], as float32; no momentum, not centred (TF.js's
// and PyTorch's defaults, which WGAN uses).
WIDEST_VECTORS static void rmsprop_range(const Update* u, size_t begin, size_t end) {
  float *value = u->array[0], *gradient = u->array[1], *mean_square = u->array[2];
  const float decay = u->s[0], one_minus_decay = u->s[1], lr = u->s[2], epsilon = u->s[3];
  for (size_t i = begin; i < end; i++) {
    const float g = gradient[i];
    const float square = mean_square[i] * decay + (g * g) * one_minus_decay;
    mean_square[i] = square;
    // TF.js adds momentum · 0 (= 0) to the step before subtracting it: no rounding.
    value[i] = value[i] - (g * lr) / sqrtf(square + epsilon);
  }
}

static napi_value rmsprop_update(napi_env env, napi_callback_info info) {
  return run_update(env, info, 3, 4, "gankit_gemm.rmspropUpdate: expected (Uint8Array, n, value, gradient, meanSquare, Float32Array(4)) inside the heap", rmsprop_range);
}

// emaUpdate(heap, n, average, value, settings): settings are [1 − β];
// average += (1 − β)·(value − average).
WIDEST_VECTORS static void ema_range(const Update* u, size_t begin, size_t end) {
  float *average = u->array[0], *value = u->array[1];
  const float weight = u->s[0];
  for (size_t i = begin; i < end; i++) average[i] = average[i] + weight * (value[i] - average[i]);
}

static napi_value ema_update(napi_env env, napi_callback_info info) {
  return run_update(env, info, 2, 1, "gankit_gemm.emaUpdate: expected (Uint8Array, n, average, value, Float32Array(1)) inside the heap", ema_range);
}

void register_optimizers(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"adamUpdate", NULL, adam_update, NULL, NULL, NULL, napi_default, NULL},
      {"rmspropUpdate", NULL, rmsprop_update, NULL, NULL, NULL, napi_default, NULL},
      {"emaUpdate", NULL, ema_update, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, properties);
}
