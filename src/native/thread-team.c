// The helper threads behind thread-team.h. Each spins on its own flag between
// jobs, since a condition variable's wake-up (tens of µs) is as long as a
// small product, and sleeps after about a millisecond without work, so that
// an idle gankit (or a second process beside it) leaves the cores alone.

// clock_gettime under -std=c11.
#define _POSIX_C_SOURCE 200809L

#include "thread-team.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

// A spinning thread's hint to the core (and its sibling) that it waits.
#if defined(__x86_64__) || defined(__i386__)
#define SPIN_PAUSE() __builtin_ia32_pause()
#else
#define SPIN_PAUSE() ((void)0)
#endif

extern void openblas_set_num_threads(int num_threads);

// Each on its own cache line, so that one's flags never slow another's spinning.
typedef struct __attribute__((aligned(64))) {
  pthread_t thread;
  atomic_bool posted;
  atomic_bool finished;
  atomic_bool sleeping;
  int part;
} Helper;

static int threads = 1;
static int started = 0;
static Helper helpers[MAX_TEAM];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
// The job every posted helper runs; written before the flags that release them.
static PartFunction posted_run;
static const void* posted_job;
static int posted_parts;

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static void wait_for_post(Helper* h) {
  double idle_since = seconds();
  for (unsigned spins = 1; !atomic_load_explicit(&h->posted, memory_order_acquire); spins++) {
    SPIN_PAUSE();
    if ((spins & 1023) != 0 || seconds() - idle_since < 1e-3) continue;
    pthread_mutex_lock(&lock);
    atomic_store(&h->sleeping, true);
    while (!atomic_load(&h->posted)) pthread_cond_wait(&wake, &lock);
    atomic_store(&h->sleeping, false);
    pthread_mutex_unlock(&lock);
  }
}

static void* helper_main(void* argument) {
  Helper* h = argument;
  for (;;) {
    wait_for_post(h);
    atomic_store(&h->posted, false);
    posted_run(posted_job, h->part, posted_parts);
    atomic_store_explicit(&h->finished, true, memory_order_release);
  }
  return NULL;
}

void team_set_threads(int requested) {
  threads = requested < 1 ? 1 : requested > MAX_TEAM ? MAX_TEAM : requested;
  openblas_set_num_threads(1);
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  // Detached: they live as long as the process, which exits without joining them.
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  for (; started < threads - 1; started++) {
    Helper* h = &helpers[started];
    h->part = started + 1;
    if (pthread_create(&h->thread, &attributes, helper_main, h) != 0) break;
  }
  pthread_attr_destroy(&attributes);
  if (threads > started + 1) threads = started + 1;
}

// About a million multiply-adds a part: below that, waking a helper costs more than it saves.
#define PART_WORK (1 << 20)

// Set while a team works: a part that splits again runs its own parts in turn.
static bool busy = false;

// Waits for a helper: spinning first, then yielding the core, in case the
// helper waits for one (more threads than free cores: a test runner's two
// processes, a benchmark beside a run).
static void wait_for(Helper* h) {
  for (unsigned spins = 1; !atomic_load_explicit(&h->finished, memory_order_acquire); spins++) {
    SPIN_PAUSE();
    if (spins > 20000) sched_yield();
  }
}

int team_split(PartFunction run, const void* job, double work) {
  int parts = work < 2.0 * PART_WORK ? 1 : work / PART_WORK < threads ? (int)(work / PART_WORK) : threads;
  if (parts <= 1 || busy) {
    for (int p = 0; p < parts; p++) run(job, p, parts);
    return parts;
  }
  busy = true;
  posted_run = run;
  posted_job = job;
  posted_parts = parts;
  for (int p = 1; p < parts; p++) atomic_store(&helpers[p - 1].finished, false);
  // Under the lock a helper either still spins (and will see its flag) or has
  // marked itself asleep before waiting, so no wake-up is lost.
  pthread_mutex_lock(&lock);
  bool any_sleeping = false;
  for (int p = 1; p < parts; p++) {
    atomic_store_explicit(&helpers[p - 1].posted, true, memory_order_release);
    any_sleeping = any_sleeping || atomic_load(&helpers[p - 1].sleeping);
  }
  if (any_sleeping) pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  run(job, 0, parts);
  for (int p = 1; p < parts; p++) wait_for(&helpers[p - 1]);
  busy = false;
  return parts;
}

int part_start(int count, int part, int parts, int align) {
  if (part >= parts) return count;
  long start = (long)count * part / parts;
  start -= start % align;
  return (int)start;
}

void one_thread_sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                      float* c, int ldc) {
  if (m <= 0 || n <= 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta,
              c, ldc);
}

typedef struct {
  bool trans_a, trans_b, by_rows;
  int m, n, k, lda, ldb, ldc;
  const float *a, *b;
  float beta;
  float* c;
} Sgemm;

static void sgemm_part(const void* job, int part, int parts) {
  const Sgemm* g = job;
  if (g->by_rows) {
    int first = part_start(g->m, part, parts, 16), end = part_start(g->m, part + 1, parts, 16);
    const float* a = g->trans_a ? g->a + first : g->a + (size_t)first * g->lda;
    one_thread_sgemm(g->trans_a, g->trans_b, end - first, g->n, g->k, a, g->lda, g->b, g->ldb, g->beta, g->c + (size_t)first * g->ldc, g->ldc);
  } else {
    int first = part_start(g->n, part, parts, 16), end = part_start(g->n, part + 1, parts, 16);
    const float* b = g->trans_b ? g->b + (size_t)first * g->ldb : g->b + first;
    one_thread_sgemm(false, g->trans_b, g->m, end - first, g->k, g->a, g->lda, b, g->ldb, g->beta, g->c + first, g->ldc);
  }
}

void team_sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                float* c, int ldc) {
  // Few columns (a convolution's channels over many patches): by rows, as for xᵀ·δ.
  Sgemm g = {trans_a, trans_b, trans_a || n < 16 * threads, m, n, k, lda, ldb, ldc, a, b, beta, c};
  team_split(sgemm_part, &g, (double)m * n * k);
}
