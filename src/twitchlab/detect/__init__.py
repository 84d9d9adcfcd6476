"""twitchlab.detect."""
