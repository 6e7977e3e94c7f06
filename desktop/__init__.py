"""Chorus: write, check against your company's social-media policy, publish to your own accounts."""

__version__ = "0.1.0"
APP_NAME = "Chorus"
APP_ID = "chorus"
# The macOS bundle id, also the preference domain managed settings are read from (one name for the
# reader, the generated .mobileconfig and Jamf manifest, and the app bundle).
BUNDLE_ID = "org.chorus.Chorus"
