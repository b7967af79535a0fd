# Blocks, abuse filters, rate limits and the moderation log arrive with the moderation
# issue; the guard in moderation/guard.py is where they will be enforced.
