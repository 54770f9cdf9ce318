"""The in-app banner a customer's web app shows during a P1."""
