"""twitchlab.assess."""
