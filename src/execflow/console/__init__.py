"""The responder console: the server-rendered pages people run incidents from."""
