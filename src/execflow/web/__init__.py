"""The HTTP edge shared by every router: app state and dependencies."""
