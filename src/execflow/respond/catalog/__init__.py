"""The catalog: components (with groups), people and services."""
