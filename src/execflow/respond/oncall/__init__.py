"""On-call: schedules with layers, rotations, restrictions and overrides."""
