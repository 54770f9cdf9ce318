"""ExecFlow: incident response you can prove (Detect → Respond → Prove)."""

__version__ = "0.1.0"
