"""Chorus: write, check against your company's social-media policy, publish to your own accounts."""

__version__ = "0.1.0"
APP_NAME = "Chorus"
APP_ID = "chorus"
