"""Benchmarks: ``python -m benchmarks [--quick|--full]`` prints one table of figures, each
beside a baseline measured in the same run."""
