"""The pages: workshop cameras and findings (/w/), inspectors' wall, patrols, findings and
online rates (/r/), and camera media with their access checks (/v/)."""

from django.urls import URLPattern, path

from shilian.sunshine.views import cameras, consumer, findings, media, patrols, uptime, wall

urlpatterns: list[URLPattern] = [
    # operators: the enterprise picked this session
    path("w/cameras/", cameras.camera_list, name="camera_list"),
    path("w/cameras/new/", cameras.camera_create, name="camera_create"),
    path("w/cameras/<int:pk>/", cameras.camera_detail, name="camera_detail"),
    path("w/cameras/<int:pk>/edit/", cameras.camera_edit, name="camera_edit"),
    path("w/cameras/<int:pk>/key/", cameras.camera_renew_key, name="camera_renew_key"),
    path("w/findings/", findings.workshop_findings, name="workshop_findings"),
    path("w/findings/<int:pk>/", findings.workshop_finding, name="workshop_finding"),
    # inspectors: their jurisdiction subtree
    path("r/video/", wall.video_wall, name="wall"),
    path("r/video/cameras/<int:pk>/", wall.inspector_camera, name="inspector_camera"),
    path("r/video/cameras/<int:pk>/snapshot/", wall.inspector_snapshot, name="inspector_snapshot"),
    path("r/video/uptime/", uptime.uptime, name="uptime"),
    path("r/video/off/", uptime.off_now, name="off_now"),
    path("r/patrols/", patrols.patrol_list, name="patrol_list"),
    path("r/patrols/<int:pk>/", patrols.patrol_detail, name="patrol_detail"),
    path("r/patrols/<int:pk>/snapshot/", patrols.patrol_snapshot, name="patrol_snapshot"),
    path("r/patrols/<int:pk>/findings/", patrols.patrol_finding, name="patrol_finding"),
    path("r/patrols/<int:pk>/finish/", patrols.patrol_finish, name="patrol_finish"),
    path("r/findings/", findings.inspector_findings, name="inspector_findings"),
    path("r/findings/<int:pk>/", findings.inspector_finding, name="inspector_finding"),
    # media: access-checked (nginx serves the same files in production)
    path("v/cameras/<int:pk>/live/index.m3u8", media.live_playlist, name="live_playlist"),
    path("v/cameras/<int:pk>/live/<str:name>", media.live_segment, name="live_segment"),
    path("v/cameras/<int:pk>/latest.jpg", media.latest_frame, name="latest_frame"),
    path("v/cameras/<int:pk>/still.jpg", media.consumer_still, name="consumer_still"),
    path("v/recordings/<int:pk>.mp4", media.recording_file, name="recording"),
    path("v/snapshots/<int:pk>.jpg", media.snapshot_image, name="snapshot_image"),
    path("v/replies/<int:pk>/photo", media.reply_photo, name="reply_photo"),
    path("v/room/<str:token>/", consumer.room, name="room"),
]
