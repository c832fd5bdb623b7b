"""Assign each paper its topic: the taxonomy, the trained model, its training and evaluation."""
