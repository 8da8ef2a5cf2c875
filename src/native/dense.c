// The fused dense layer (issue 25): y = act(x·W + b) ⊙ mask in one call, and
// its gradients in one call each, on the TF.js wasm heap. The mask is
// inverted dropout's (0 or 1/(1 − rate)) or absent. The backward calls
// recompute δ = dy ⊙ mask ⊙ act′ from y (LeakyReLU's slope from y's sign,
// tanh's 1 − a², the sigmoid's a(1 − a), with a = y / mask), so the layer
// saves no pre-activation and no TF.js elementwise kernel runs between layers.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "napi-helpers.h"
#include "thread-team.h"

typedef struct {
  int rows, fan_in, fan_out, activation;
  float alpha;
  const float *x, *w, *b, *mask, *y, *dy;
  float *out, *delta;
} Dense;

// tanh and the sigmoid through expm1f and expf: glibc's tanhf took ~0.4 ms
// of G's last layer at batch 64.
WIDEST_VECTORS static void activate_row(float* out, const float* mask, int count, int activation, float alpha) {
  switch (activation) {
    case LEAKYRELU:
      for (int j = 0; j < count; j++) out[j] = out[j] >= 0 ? out[j] : alpha * out[j];
      break;
    case TANH:
      for (int j = 0; j < count; j++) {
        // tanh(v) = sign(v)·(1 − e)/(1 + e) with e = e^{−2|v|}, through e − 1 so
        // that small |v| keeps its precision; never overflows.
        float v = out[j], m = expm1f(-2.0f * fabsf(v)), t = -m / (2.0f + m);
        out[j] = v < 0 ? -t : t;
      }
      break;
    case SIGMOID:
      for (int j = 0; j < count; j++) out[j] = 1.0f / (1.0f + expf(-out[j]));
      break;
    default:
      break;
  }
  if (mask) {
    for (int j = 0; j < count; j++) out[j] *= mask[j];
  }
}

// act′ at the pre-activation whose activation is a.
static inline float slope(float a, int activation, float alpha) {
  switch (activation) {
    case LEAKYRELU:
      return a > 0 ? 1.0f : alpha;
    case TANH:
      return 1.0f - a * a;
    case SIGMOID:
      return a * (1.0f - a);
    default:
      return 1.0f;
  }
}

// δ for rows [first, first + count) into d->delta.
WIDEST_VECTORS static void delta_rows(const Dense* d, int first, int count) {
  size_t start = (size_t)first * d->fan_out, end = start + (size_t)count * d->fan_out;
  for (size_t i = start; i < end; i++) {
    float y = d->y[i], g = d->dy[i];
    if (d->mask) {
      float m = d->mask[i];
      d->delta[i] = m == 0.0f ? 0.0f : g * m * slope(y / m, d->activation, d->alpha);
    } else {
      d->delta[i] = g * slope(y, d->activation, d->alpha);
    }
  }
}

// Each part takes its own columns of the output (its own columns of W), bias and activation included.
static void forward_part(const void* job, int part, int parts) {
  const Dense* d = job;
  int first = part_start(d->fan_out, part, parts, 16), count = part_start(d->fan_out, part + 1, parts, 16) - first;
  if (count <= 0 || d->rows == 0) return;
  // Start from the bias rows and add the product onto them (beta = 1).
  for (int r = 0; r < d->rows; r++) {
    float* row = d->out + (size_t)r * d->fan_out + first;
    if (d->b) memcpy(row, d->b + first, (size_t)count * sizeof(float));
    else memset(row, 0, (size_t)count * sizeof(float));
  }
  one_thread_sgemm(false, false, d->rows, count, d->fan_in, d->x, d->fan_in, d->w + first, d->fan_out, 1.0f, d->out + first, d->fan_out);
  for (int r = 0; r < d->rows; r++) {
    size_t start = (size_t)r * d->fan_out + first;
    activate_row(d->out + start, d->mask ? d->mask + start : NULL, count, d->activation, d->alpha);
  }
}

static void delta_part(const void* job, int part, int parts) {
  const Dense* d = job;
  int first = part_start(d->rows, part, parts, 1);
  delta_rows(d, first, part_start(d->rows, part + 1, parts, 1) - first);
}

// A scratch buffer for δ, kept between calls. Like the thread team, it is the
// process's: calls come from the one JavaScript thread (the addon is not for worker_threads).
static float* delta_scratch(size_t count) {
  static float* scratch = NULL;
  static size_t capacity = 0;
  if (count == 0) count = 1;
  if (count > capacity) {
    free(scratch);
    scratch = malloc(count * sizeof(float));
    capacity = scratch ? count : 0;
  }
  return scratch;
}

// An offset that stands for an absent tensor.
#define ABSENT -1.0

// Reads (heap, rows, fanIn, fanOut, activation, alpha) and then `count` byte
// offsets (−1: absent) as pointers into the heap, each checked to hold `sizes[i]` floats
// and to be aligned for them; the activation must be one the layer knows.
static bool dense_arguments(napi_env env, napi_callback_info info, size_t count, const size_t* sizes_per_row_or_matrix, Dense* d,
                            float** pointers, const char* usage) {
  napi_value argv[16];
  uint8_t* heap;
  size_t heap_length;
  if (!heap_arguments(env, info, 6 + count, argv, &heap, &heap_length, usage)) return false;
  double alpha;
  bool ok = napi_get_value_int32(env, argv[1], &d->rows) == napi_ok && napi_get_value_int32(env, argv[2], &d->fan_in) == napi_ok &&
            napi_get_value_int32(env, argv[3], &d->fan_out) == napi_ok && napi_get_value_int32(env, argv[4], &d->activation) == napi_ok &&
            napi_get_value_double(env, argv[5], &alpha) == napi_ok && d->rows >= 0 && d->fan_in > 0 && d->fan_out > 0;
  d->alpha = (float)alpha;
  ok = ok && (d->activation == LINEAR || d->activation == LEAKYRELU || d->activation == SIGMOID || d->activation == TANH);
  for (size_t i = 0; ok && i < count; i++) {
    double offset;
    ok = napi_get_value_double(env, argv[6 + i], &offset) == napi_ok;
    // sizes: 0 = rows×fanIn, 1 = rows×fanOut, 2 = fanIn×fanOut, 3 = fanOut, 4 = rows.
    size_t shapes[5] = {(size_t)d->rows * d->fan_in, (size_t)d->rows * d->fan_out, (size_t)d->fan_in * d->fan_out, (size_t)d->fan_out,
                        (size_t)d->rows};
    size_t bytes = shapes[sizes_per_row_or_matrix[i]] * sizeof(float);
    if (ok && offset == ABSENT) {
      pointers[i] = NULL;
    } else if (ok && offset >= 0 && offset <= (double)heap_length && bytes <= heap_length && (size_t)offset <= heap_length - bytes &&
               ((size_t)offset & 3) == 0) {
      pointers[i] = (float*)(heap + (size_t)offset);
    } else {
      ok = false;
    }
  }
  if (!ok) napi_throw_range_error(env, NULL, usage);
  return ok;
}

enum Shape { ROWS_IN = 0, ROWS_OUT = 1, WEIGHTS = 2, BIAS = 3, ROWS = 4 };

// denseForward(heap, rows, fanIn, fanOut, activation, alpha, x, w, b, mask, out)
static napi_value dense_forward(napi_env env, napi_callback_info info) {
  const size_t shapes[5] = {ROWS_IN, WEIGHTS, BIAS, ROWS_OUT, ROWS_OUT};
  float* p[5];
  Dense d = {0};
  if (!dense_arguments(env, info, 5, shapes, &d, p, "gankit_gemm.denseForward: expected (heap, rows, fanIn, fanOut, activation, alpha, x, w, b, mask, out) inside the heap")) {
    return NULL;
  }
  d.x = p[0], d.w = p[1], d.b = p[2], d.mask = p[3], d.out = p[4];
  if (!d.x || !d.w || !d.out) return napi_throw_type_error(env, NULL, "gankit_gemm.denseForward: x, w and out are required"), NULL;
  team_split(forward_part, &d, (double)d.rows * d.fan_in * d.fan_out);
  return NULL;
}

WIDEST_VECTORS static void bias_gradient(const Dense* d, float* db) {
  memset(db, 0, (size_t)d->fan_out * sizeof(float));
  for (int r = 0; r < d->rows; r++) {
    const float* row = d->delta + (size_t)r * d->fan_out;
    for (int j = 0; j < d->fan_out; j++) db[j] += row[j];
  }
}

typedef struct {
  const Dense* d;
  float *dx, *dw, *db;
} Backward;

// dX = δ·Wᵀ on the first half of the parts, dW = xᵀ·δ and db = Σ_rows δ on
// the other: two products of equal work that share only δ (bench/gemm-threads.c:
// with two threads, faster than splitting each product, at batch 64 by a third).
static void backward_part(const void* job, int part, int parts) {
  if (parts == 1) {
    backward_part(job, 0, 2);
    backward_part(job, 1, 2);
    return;
  }
  const Backward* b = job;
  const Dense* d = b->d;
  int input_parts = parts / 2;
  if (part < input_parts) {
    int first = part_start(d->fan_in, part, input_parts, 16), end = part_start(d->fan_in, part + 1, input_parts, 16);
    one_thread_sgemm(false, true, d->rows, end - first, d->fan_out, d->delta, d->fan_out, d->w + (size_t)first * d->fan_out, d->fan_out, 0.0f,
                     b->dx + first, d->fan_in);
  } else {
    int own = part - input_parts, weight_parts = parts - input_parts;
    int first = part_start(d->fan_in, own, weight_parts, 16), end = part_start(d->fan_in, own + 1, weight_parts, 16);
    one_thread_sgemm(true, false, end - first, d->fan_out, d->rows, d->x + first, d->fan_in, d->delta, d->fan_out, 0.0f,
                     b->dw + (size_t)first * d->fan_out, d->fan_out);
    if (own == 0) bias_gradient(d, b->db);
  }
}

// denseBackward(heap, rows, fanIn, fanOut, activation, alpha, dy, y, mask, x, w, dx, dw, db):
// whichever of dX, dW and db have an offset (dW and db come together).
static napi_value dense_backward(napi_env env, napi_callback_info info) {
  const size_t shapes[8] = {ROWS_OUT, ROWS_OUT, ROWS_OUT, ROWS_IN, WEIGHTS, ROWS_IN, WEIGHTS, BIAS};
  float* p[8];
  Dense d = {0};
  const char* usage = "gankit_gemm.denseBackward: expected (heap, rows, fanIn, fanOut, activation, alpha, dy, y, mask, x, w, dx, dw, db) inside the heap";
  if (!dense_arguments(env, info, 8, shapes, &d, p, usage)) return NULL;
  d.dy = p[0], d.y = p[1], d.mask = p[2], d.x = p[3], d.w = p[4];
  Backward b = {&d, p[5], p[6], p[7]};
  if (!d.dy || !d.y || (b.dw == NULL) != (b.db == NULL) || (b.dx && !d.w) || (b.dw && !d.x)) return napi_throw_type_error(env, NULL, usage), NULL;
  d.delta = delta_scratch((size_t)d.rows * d.fan_out);
  if (!d.delta) return napi_throw_error(env, NULL, "gankit_gemm.denseBackward: out of memory"), NULL;
  team_split(delta_part, &d, (double)d.rows * d.fan_out * 64);
  double work = (double)d.rows * d.fan_in * d.fan_out;
  if (b.dx && b.dw) {
    team_split(backward_part, &b, 2 * work);
  } else if (b.dx) {
    team_sgemm(false, true, d.rows, d.fan_in, d.fan_out, d.delta, d.fan_out, d.w, d.fan_out, 0.0f, b.dx, d.fan_in);
  } else if (b.dw) {
    team_sgemm(true, false, d.fan_in, d.fan_out, d.rows, d.x, d.fan_in, d.delta, d.fan_out, 0.0f, b.dw, d.fan_out);
    bias_gradient(&d, b.db);
  }
  return NULL;
}

typedef struct {
  const Dense* d;
  float* squared_norms;
} ExampleNorms;

// Example i's squared gradient norm over W and b, (‖x_i‖² + 1)·‖δ_i‖²
// (DP-SGD's ghost norms: src/privacy/per-example-clipping.ts), for its rows.
WIDEST_VECTORS static void example_norms_part(const void* job, int part, int parts) {
  const ExampleNorms* e = job;
  const Dense* d = e->d;
  int first = part_start(d->rows, part, parts, 1), end = part_start(d->rows, part + 1, parts, 1);
  delta_rows(d, first, end - first);
  for (int r = first; r < end; r++) {
    const float *x = d->x + (size_t)r * d->fan_in, *delta = d->delta + (size_t)r * d->fan_out;
    float inputs = 0, deltas = 0;
    for (int j = 0; j < d->fan_in; j++) inputs += x[j] * x[j];
    for (int j = 0; j < d->fan_out; j++) deltas += delta[j] * delta[j];
    e->squared_norms[r] = (inputs + 1.0f) * deltas;
  }
}

// denseExampleNorms(heap, rows, fanIn, fanOut, activation, alpha, dy, y, mask, x, out): out[i] = (‖x_i‖² + 1)·‖δ_i‖².
static napi_value dense_example_norms(napi_env env, napi_callback_info info) {
  const size_t shapes[5] = {ROWS_OUT, ROWS_OUT, ROWS_OUT, ROWS_IN, ROWS};
  float* p[5];
  Dense d = {0};
  const char* usage = "gankit_gemm.denseExampleNorms: expected (heap, rows, fanIn, fanOut, activation, alpha, dy, y, mask, x, out) inside the heap";
  if (!dense_arguments(env, info, 5, shapes, &d, p, usage)) return NULL;
  d.dy = p[0], d.y = p[1], d.mask = p[2], d.x = p[3];
  if (!d.dy || !d.y || !d.x || !p[4]) return napi_throw_type_error(env, NULL, usage), NULL;
  d.delta = delta_scratch((size_t)d.rows * d.fan_out);
  if (!d.delta) return napi_throw_error(env, NULL, "gankit_gemm.denseExampleNorms: out of memory"), NULL;
  ExampleNorms e = {&d, p[4]};
  team_split(example_norms_part, &e, (double)d.rows * (d.fan_in + d.fan_out) * 64);
  return NULL;
}

void register_dense(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"denseForward", NULL, dense_forward, NULL, NULL, NULL, napi_default, NULL},
      {"denseBackward", NULL, dense_backward, NULL, NULL, NULL, napi_default, NULL},
      {"denseExampleNorms", NULL, dense_example_norms, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, properties);
}
