// The GEMMs of one training step on two cores, timed five ways (issue 25's
// threading table): OpenBLAS with one thread, OpenBLAS with two, two
// one-thread calls on the two halves of the output's columns, the same on
// the halves of its rows, and a layer's backward products dX ∥ dW. Built and
// run by bench/gemm-threads.ts with -lopenblas or -lblis; prints JSON.
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef USE_BLIS
void bli_thread_set_num_threads(long threads);
static void set_library_threads(int threads) { bli_thread_set_num_threads(threads); }
#else
void openblas_set_num_threads(int threads);
static void set_library_threads(int threads) { openblas_set_num_threads(threads); }
#endif

typedef struct {
  int trans_a, trans_b, m, n, k;
  const float *a, *b;
  float* c;
  int lda, ldb, ldc;
} Gemm;

static void run_gemm(const Gemm* g) {
  cblas_sgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans, g->trans_b ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1.0f, g->a,
              g->lda, g->b, g->ldb, 0.0f, g->c, g->ldc);
}

// One helper thread that spins on a flag: a condition variable's wake-up
// (tens of µs) is as long as a small product.
// It sleeps after a few ms of nothing, so that it steals no core from a
// library's own threads.
static _Atomic(const Gemm*) posted;
static atomic_int done;
static atomic_int sleeping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static void* helper(void* unused) {
  (void)unused;
  for (;;) {
    const Gemm* g;
    long spins = 0;
    while ((g = atomic_load_explicit(&posted, memory_order_acquire)) == NULL) {
      if (++spins < 2000000) continue;
      pthread_mutex_lock(&lock);
      atomic_store(&sleeping, 1);
      while ((g = atomic_load(&posted)) == NULL) pthread_cond_wait(&wake, &lock);
      atomic_store(&sleeping, 0);
      pthread_mutex_unlock(&lock);
    }
    atomic_store(&posted, NULL);
    run_gemm(g);
    atomic_store_explicit(&done, 1, memory_order_release);
  }
  return NULL;
}

static void pair(const Gemm* mine, const Gemm* theirs) {
  atomic_store(&done, 0);
  pthread_mutex_lock(&lock);
  atomic_store_explicit(&posted, theirs, memory_order_release);
  if (atomic_load(&sleeping)) pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
  run_gemm(mine);
  while (!atomic_load_explicit(&done, memory_order_acquire)) {
  }
}

// Halves of C's columns: each half reads all of op(A) and half of op(B).
static void split_columns(const Gemm* g) {
  Gemm left = *g, right = *g;
  int half = g->n / 2;
  left.n = half;
  right.n = g->n - half;
  right.c = g->c + half;
  right.b = g->trans_b ? g->b + (size_t)half * g->ldb : g->b + half;
  pair(&left, &right);
}

// Halves of C's rows: each half reads half of op(A) and all of op(B).
static void split_rows(const Gemm* g) {
  Gemm top = *g, bottom = *g;
  int half = g->m / 2;
  top.m = half;
  bottom.m = g->m - half;
  bottom.c = g->c + (size_t)half * g->ldc;
  bottom.a = g->trans_a ? g->a + half : g->a + (size_t)half * g->lda;
  pair(&top, &bottom);
}

// Waits until the helper sleeps, so that a library's own threads have both cores.
static void sleep_helper(void) {
  while (!atomic_load(&sleeping)) {
    struct timespec t = {0, 1000000};
    nanosleep(&t, NULL);
  }
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static float* filled(size_t n) {
  float* p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
  for (size_t i = 0; i < n; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  return p;
}

enum Way { ONE_THREAD, LIBRARY_TWO, SPLIT_COLUMNS, SPLIT_ROWS, WAYS };
static const char* WAY_NAMES[WAYS] = {"oneThread", "libraryTwoThreads", "splitColumns", "splitRows"};

static void run_way(int way, const Gemm* g) {
  if (way == SPLIT_COLUMNS) split_columns(g);
  else if (way == SPLIT_ROWS) split_rows(g);
  else run_gemm(g);
}

// Best mean over 5 rounds, in ms, of `reps` runs of `work`.
#define BEST_MS(reps, work)                                  \
  ({                                                         \
    double best = 1e30;                                      \
    for (int round = 0; round < 6; round++) {                \
      double start = now_ms();                               \
      for (int r = 0; r < (reps); r++) { work; }             \
      double ms = (now_ms() - start) / (reps);               \
      if (round > 0 && ms < best) best = ms;                 \
    }                                                        \
    best;                                                    \
  })

int main(int argc, char** argv) {
  const char* library = argc > 1 ? argv[1] : "openblas";
  pthread_t thread;
  pthread_create(&thread, NULL, helper, NULL);
  // The layers of G and of D, [fan_in, fan_out].
  const int layers[][2] = {{100, 256}, {256, 512}, {512, 1024}, {1024, 784}, {784, 1024}, {1024, 512}, {512, 256}, {256, 1}};
  const int batches[] = {64, 128, 256};
  printf("{\"library\": \"%s\", \"products\": [\n", library);
  int first = 1;
  for (int bi = 0; bi < 3; bi++) {
    for (int li = 0; li < 8; li++) {
      int rows = batches[bi], fan_in = layers[li][0], fan_out = layers[li][1];
      float *x = filled((size_t)rows * fan_in), *w = filled((size_t)fan_in * fan_out), *dz = filled((size_t)rows * fan_out);
      float *z = filled((size_t)rows * fan_out), *dw = filled((size_t)fan_in * fan_out), *dx = filled((size_t)rows * fan_in);
      // z = x·W; dW = xᵀ·dz; dX = dz·Wᵀ (row-major, as the addon calls them).
      Gemm forward = {0, 0, rows, fan_out, fan_in, x, w, z, fan_in, fan_out, fan_out};
      Gemm weights = {1, 0, fan_in, fan_out, rows, x, dz, dw, fan_in, fan_out, fan_out};
      Gemm inputs = {0, 1, rows, fan_in, fan_out, dz, w, dx, fan_out, fan_out, fan_in};
      const Gemm* products[3] = {&forward, &weights, &inputs};
      const char* names[3] = {"forward", "dW", "dX"};
      double flops = 2.0 * rows * fan_in * fan_out;
      int reps = (int)(2e8 / flops) + 3;
      for (int p = 0; p < 3; p++) {
        printf("%s  {\"rows\": %d, \"fanIn\": %d, \"fanOut\": %d, \"product\": \"%s\", \"mflop\": %.3f", first ? "" : ",\n", rows, fan_in, fan_out,
               names[p], flops / 1e6);
        first = 0;
        for (int way = 0; way < WAYS; way++) {
          set_library_threads(way == LIBRARY_TWO ? 2 : 1);
          if (way == LIBRARY_TWO) sleep_helper();
          double ms = BEST_MS(reps, run_way(way, products[p]));
          printf(", \"%s\": %.4f", WAY_NAMES[way], ms);
        }
        printf("}");
      }
      // The backward pass as two concurrent one-thread products.
      set_library_threads(1);
      double concurrent = BEST_MS(reps, pair(&weights, &inputs));
      printf(",\n  {\"rows\": %d, \"fanIn\": %d, \"fanOut\": %d, \"product\": \"dW+dX\", \"mflop\": %.3f", rows, fan_in, fan_out, 2 * flops / 1e6);
      set_library_threads(1);
      double serial = BEST_MS(reps, (run_gemm(&weights), run_gemm(&inputs)));
      set_library_threads(2);
      sleep_helper();
      double library_two = BEST_MS(reps, (run_gemm(&weights), run_gemm(&inputs)));
      printf(", \"oneThread\": %.4f, \"libraryTwoThreads\": %.4f, \"dWParallelToDX\": %.4f}", serial, library_two, concurrent);
      free(x), free(w), free(dz), free(z), free(dw), free(dx);
    }
  }
  printf("\n]}\n");
  return 0;
}
