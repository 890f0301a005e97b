# Pre/post-processing, sliding window, strategies: target_sources(iris_inference PRIVATE ...)
