# Network forward/decode benchmarks
