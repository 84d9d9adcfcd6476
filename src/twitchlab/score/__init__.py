"""twitchlab.score."""
