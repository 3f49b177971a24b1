"""Cameras of the demo's sunshine workshops (阳光作坊): the Shitang workshops each have a
processing-room camera consumers may watch and a storage-room camera only inspectors see.

They are push cameras: nothing streams until a camera (or `shilian video simulate`) pushes to
the address shown on the workshop's camera page, so they start as "not seen yet".
"""

from __future__ import annotations

import datetime as dt

from shilian.demo.world import World
from shilian.sunshine.actions.cameras import CameraSpec, create_camera
from shilian.sunshine.choices import Ingest, Room

CAMERA_WORKSHOPS = ("st1", "st2", "st3", "st4", "st5", "st6", "st7")  # 石塘镇


def install_cameras(world: World) -> int:
    """Two cameras per Shitang workshop; returns how many."""
    count = 0
    for slug in CAMERA_WORKSHOPS:
        actor = world.actors.get(slug)
        if actor is None:
            continue
        specs = [
            CameraSpec(name="加工间", room=Room.PROCESSING, ingest=Ingest.PUSH, public=True, staffed=True),
            CameraSpec(
                name="仓库",
                room=Room.STORAGE,
                ingest=Ingest.PUSH,
                public=False,
                work_start=dt.time(7, 0),
                work_end=dt.time(19, 0),
            ),
        ]
        for spec in specs:
            create_camera(actor.enterprise, spec, acting_user=actor.user)
            count += 1
    return count
