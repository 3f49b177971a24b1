"""Simulated cameras for the video tests and benchmark."""
