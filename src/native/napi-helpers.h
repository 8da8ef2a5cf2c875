// What the addon's C files share: argument checks for N-API calls that work
// on the TF.js wasm heap.
#ifndef GANKIT_NAPI_HELPERS_H
#define GANKIT_NAPI_HELPERS_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

// Activations by number: 0–6 as FusableActivation in tfjs-backend-wasm
// (kernels/types.ts), which the matMul kernel receives; TANH is gankit's own,
// for the dense layer (dense.c).
enum Activation { LINEAR = 0, RELU = 1, RELU6 = 2, PRELU = 3, LEAKYRELU = 4, SIGMOID = 5, ELU = 6, TANH = 7 };

// Elementwise loops built for the widest vectors the CPU has, picked when the
// addon loads (GCC's function multiversioning): the same results on every
// path, since each operation is IEEE float32 and no multiply-add is fused.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDEST_VECTORS __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDEST_VECTORS
#endif

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "gankit_gemm: bad argument to " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

// The data of a typed array; with `expected` >= 0, only of that element type.
static inline bool get_typed_array(napi_env env, napi_value value, int expected, void** data, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return false;
  return expected < 0 || (int)type == expected;
}

// Reads a call's `count` arguments, the first of them the wasm heap (a
// Uint8Array); throws a TypeError with `usage` and returns false otherwise.
static inline bool heap_arguments(napi_env env, napi_callback_info info, size_t count, napi_value* argv, uint8_t** heap,
                           size_t* heap_length, const char* usage) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count ||
      !get_typed_array(env, argv[0], napi_uint8_array, (void**)heap, heap_length)) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  return true;
}

#endif
