"""Alerts from Prometheus Alertmanager, Grafana and PagerDuty clients, in their own formats."""
