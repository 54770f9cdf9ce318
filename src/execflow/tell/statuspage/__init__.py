"""The public status page: HTML, the Statuspage v2 JSON, feeds and uptime bars."""
