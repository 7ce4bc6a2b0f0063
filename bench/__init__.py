"""Benchmarks: `make bench` (`python -m bench`). Never run as timed tests.

Each benchmark measures our path beside the library or database doing the same work in the
same run, and reports the ratio (ours / baseline). Results are saved under bench/results/.
"""
