"""Benchmarks for shilian (not tests): each prints its figures beside a reference."""
