"""Events from signals: leg movements from EMG (:mod:`twitchlab.detect.lm`), twitch kinds, accelerometer."""

from twitchlab.detect.lm import LegMovementDetection, detect_leg_movements

__all__ = ["LegMovementDetection", "detect_leg_movements"]
