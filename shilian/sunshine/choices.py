"""Vocabularies of the sunshine-workshop (阳光作坊) cameras, patrols and detections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Room(models.TextChoices):
    PROCESSING = "processing", _("Processing room")  # 加工间
    STORAGE = "storage", _("Storage room")  # 仓储间
    PACKING = "packing", _("Packing room")  # 包装间
    HANDWASH = "handwash", _("Hand-washing area")  # 洗手消毒区
    STORE = "store", _("Shop floor")  # 门店


class Ingest(models.TextChoices):
    PUSH = "push", _("Push (RTMP from the camera or an edge box)")  # 推流
    PULL = "pull", _("Pull (RTSP over TCP from a reachable camera)")  # 拉流


class CameraState(models.TextChoices):
    """What the video worker last saw. ``online`` is the only state with live video."""

    UNKNOWN = "unknown", _("Not seen yet")  # 尚未连接
    DISABLED = "disabled", _("Switched off")  # 已停用
    STARTING = "starting", _("Connecting")  # 连接中
    ONLINE = "online", _("Online")  # 在线
    OFFLINE = "offline", _("Offline")  # 离线
    UNPLAYABLE = "unplayable", _("Codec browsers cannot play")  # 编码不支持
    ERROR = "error", _("Error")  # 故障


class OutageKind(models.TextChoices):
    OFFLINE = "offline", _("Offline")  # 离线 (no frames)
    BLACK = "black", _("Black picture (lights off or lens covered)")  # 黑屏
    FROZEN = "frozen", _("Frozen picture")  # 画面冻结
    UNPLAYABLE = "unplayable", _("Codec browsers cannot play")  # 编码不支持
    DISK_FULL = "disk", _("Recording stopped: disk full")  # 磁盘已满


class SnapshotPurpose(models.TextChoices):
    PATROL = "patrol", _("Patrol evidence")  # 巡查取证
    DETECTION = "detection", _("Detection")  # 智能识别
    MANUAL = "manual", _("Taken by hand")  # 手动抓拍


class ChecklistItem(models.TextChoices):
    """The online-patrol checklist (线上巡查要点)."""

    HYGIENE = "hygiene", _("Hygiene of the room and surfaces")  # 环境卫生
    CAPS_MASKS = "caps_masks", _("Caps, masks and work clothes")  # 穿戴工作衣帽、口罩
    PESTS = "pests", _("Pests (rodents, flies, cockroaches)")  # 虫害（鼠、蝇、蟑螂）
    STORAGE = "storage", _("Storage (raw and cooked apart, off the floor)")  # 贮存（生熟分开、离地离墙）
    OTHER = "other", _("Other")  # 其他


class FindingResult(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")  # 符合
    ISSUE = "issue", _("Issue to fix")  # 需整改


class FindingStatus(models.TextChoices):
    CLOSED = "closed", _("Closed")  # 已关闭 (compliant findings start closed)
    OPEN = "open", _("Waiting for the workshop")  # 待整改
    ANSWERED = "answered", _("Answered, waiting for review")  # 已回复待复核
    REOPENED = "reopened", _("Reopened")  # 已退回


class DetectionRule(models.TextChoices):
    NO_MASK = "no_mask", _("Face without a mask")  # 未戴口罩
    UNATTENDED = "unattended", _("Nobody at a staffed workstation")  # 岗位无人
    AFTER_HOURS_MOTION = "after_hours_motion", _("Movement in a storage room after hours")  # 非工作时间仓库有移动


class DetectionStatus(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected, waiting for review")  # 疑似待复核
    CONFIRMED = "confirmed", _("Confirmed")  # 已确认
    DISMISSED = "dismissed", _("Dismissed (false alarm)")  # 误报


# ISO weekday digits, as a camera's ``work_days`` holds them
WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]
