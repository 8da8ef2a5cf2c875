{
  "targets": [
    {
      "target_name": "gankit_gemm",
      "sources": ["gemm.c"],
      "cflags": ["-O2", "-std=c11"],
      "libraries": ["-lopenblas"]
    }
  ]
}
