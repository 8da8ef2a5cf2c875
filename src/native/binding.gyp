{
  "targets": [
    {
      "target_name": "gankit_gemm",
      "sources": ["gemm.c", "optimizers.c", "dense.c", "thread-team.c"],
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno"],
      "libraries": ["-lopenblas", "-lpthread"]
    }
  ]
}
