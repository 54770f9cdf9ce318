"""Streaming anomaly detection for metric series: causal, O(1) memory per series."""
