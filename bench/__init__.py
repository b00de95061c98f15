"""Benchmarks, run as scripts (`make bench`); never imported by the application."""
