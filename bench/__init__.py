"""Benchmarks: each arm measured against raw baselines in the same run (`./dev bench`)."""
