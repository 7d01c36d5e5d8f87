//! Synthetic national-scale data for benchmarks (placeholder; being written).
