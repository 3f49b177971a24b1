from shilian.sunshine.models.cameras import Camera, CameraOutage
from shilian.sunshine.models.detections import Detection
from shilian.sunshine.models.media import Recording, Snapshot
from shilian.sunshine.models.patrols import Finding, FindingReply, Patrol

__all__ = ["Camera", "CameraOutage", "Detection", "Finding", "FindingReply", "Patrol", "Recording", "Snapshot"]
