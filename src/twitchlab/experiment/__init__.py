"""twitchlab.experiment."""
