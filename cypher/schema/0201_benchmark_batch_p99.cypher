CREATE INDEX graphcat_benchmark_batch_p99 IF NOT EXISTS
FOR (b:Benchmark) ON (b.batch, b.p99_ms)
