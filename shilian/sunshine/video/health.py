"""Picture health from the 32x18 gray thumbnails: black (mean luma) and frozen (no change).

Thumbnails arrive about once a second (keyframes at least 1 s apart). A real camera has
sensor noise and an on-screen clock, so a frozen encoder is the one case where consecutive
thumbnails are (almost) identical.
"""

from __future__ import annotations

from dataclasses import dataclass


def mean_luma(thumb: bytes) -> float:
    return sum(thumb) / len(thumb) if thumb else 0.0


def mean_difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two thumbnails of the same size (0 = identical)."""
    if len(a) != len(b) or not a:
        return 255.0
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


@dataclass
class PictureHealth:
    black_luma: float
    frozen_diff: float
    frozen_seconds: float
    luma: float = -1.0
    diff: float = -1.0
    previous: bytes = b""
    same_since: float | None = None  # time the picture stopped changing

    def observe(self, thumb: bytes, now: float) -> None:
        self.luma = mean_luma(thumb)
        if self.previous:
            self.diff = mean_difference(self.previous, thumb)
            if self.diff < self.frozen_diff:
                if self.same_since is None:
                    self.same_since = now
            else:
                self.same_since = None
        self.previous = thumb

    def reset(self) -> None:
        self.luma, self.diff, self.previous, self.same_since = -1.0, -1.0, b"", None

    @property
    def black(self) -> bool:
        return 0.0 <= self.luma < self.black_luma

    def frozen(self, now: float) -> bool:
        return self.same_since is not None and now - self.same_since >= self.frozen_seconds
