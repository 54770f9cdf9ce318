"""Tell customers: the status page, customers and subscribers, mail, the banner, post-mortems."""
