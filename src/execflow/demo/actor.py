"""Who the demo data is logged as."""

from __future__ import annotations

from execflow.prove.log.entry import Ref

DEMO_ACTOR = Ref("system", "demo")
