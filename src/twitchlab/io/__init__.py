"""twitchlab.io."""
