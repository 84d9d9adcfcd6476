"""twitchlab.cohort."""
