"""One router per resource: health, match, bank."""
