"""twitchlab.report."""
