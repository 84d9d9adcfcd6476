"""twitchlab.store."""
