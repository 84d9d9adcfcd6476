"""twitchlab.signal."""
