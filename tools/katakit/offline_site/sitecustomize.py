"""Started with KATA_OFFLINE=1 (a kata's Python subprocess): the offline guard, first thing."""

import os

if os.environ.get("KATA_OFFLINE") == "1":
    from katakit import guard

    guard.install()
