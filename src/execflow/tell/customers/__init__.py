"""Customers: who uses which components, and whom to write to."""
