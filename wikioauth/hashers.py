from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Hashes the stand-in's client secrets, which are long random strings (settings.py)."""

    iterations = 1000
