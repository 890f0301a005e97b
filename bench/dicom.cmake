# Series assembly and SEG writing benchmarks
