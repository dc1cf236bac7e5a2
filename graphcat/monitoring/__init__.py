"""Quality monitoring: metric histories of model versions per dataset, alert states against an
expected band, and the notifier `graphcat monitor` runs from cron (graphcat.monitoring.service,
graphcat.monitoring.notify)."""
