// Every core for one product: the calling thread and up to MAX_TEAM − 1
// helper threads each take a part of the work (bench/gemm-threads.c measured
// the ways to split it; issue 25's table). OpenBLAS itself runs on one thread:
// its own threading barely beat one thread on these small products.
#ifndef GANKIT_THREAD_TEAM_H
#define GANKIT_THREAD_TEAM_H

#include <stdbool.h>

#define MAX_TEAM 16

// One part of a piece of work: `run(job, part, parts)`, part 0 on the caller.
typedef void (*PartFunction)(const void* job, int part, int parts);

// Threads to use, 1 to MAX_TEAM: 1 runs everything on the caller.
void team_set_threads(int threads);

// Runs run(job, p, parts) for p = 0 … parts − 1, part 0 here and the others on
// helpers, and returns when all are done. `work` (in multiply-adds, or their
// equivalent) sets parts: one per million, up to the team's size, since waking
// a helper costs more than a smaller part saves. A part that calls it again
// runs the inner parts in turn on its own thread. Returns parts.
int team_split(PartFunction run, const void* job, double work);

// The first of `count` items that part `part` of `parts` takes, rounded to
// multiples of `align` (which never split a cache line of floats when 16).
int part_start(int count, int part, int parts, int align);

// A row-major C = op(A)·op(B) + beta·C on this thread alone.
void one_thread_sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                      float* c, int ldc);

// The same, split across the team: by C's rows for xᵀ·δ (op(A) transposed)
// and where C has few columns, by its columns otherwise (each part then reads
// its own part of op(B), the weights): the faster split for each of a dense
// layer's products.
void team_sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                float* c, int ldc);

#endif
