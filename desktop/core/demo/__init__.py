"""Demo mode for trainers: bundles (one file per scenario), the sandbox's posts, the temporary profile.

    bundle = load_bundle(None)                  # the built-in one; BundleError says what is wrong
    profile = DemoProfile.create()              # a locked temp folder; old crashed ones cleaned
    session = DemoSession(bundle, profile)
    session.prepare(paths.settings_file)        # the bundle's policy, named in the demo's settings
    session.reset(store, accounts)              # sample drafts, linked sandbox accounts, the feed
    ...
    profile.remove()

The composition root (desktop/bootstrap.py) does this for ``chorus --demo [BUNDLE]``; the UI
(desktop/ui/demo) shows the banner, the Sandbox feed and Reset demo.
"""

from desktop.core.demo.bundle import (
    BundleError,
    DemoAccount,
    DemoBundle,
    FeedItem,
    SampleDraft,
    builtin_bundle_path,
    load_bundle,
)
from desktop.core.demo.feed import SandboxPost, SandboxPosts, account_style, post_parts
from desktop.core.demo.session import BANNER, DemoProfile, DemoSession, clean_stale

__all__ = ["BANNER", "BundleError", "DemoAccount", "DemoBundle", "DemoProfile", "DemoSession", "FeedItem",
           "SampleDraft", "SandboxPost", "SandboxPosts", "account_style", "builtin_bundle_path", "clean_stale",
           "load_bundle", "post_parts"]
