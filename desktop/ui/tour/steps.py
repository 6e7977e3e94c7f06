"""The tour's steps, as data: one :class:`TourStep` per part of the window, in the order shown.

A step names its target by ``objectName`` (a dock is ``panel-<title>``, see ``MainWindow.add_panel``)
rather than holding the widget, so the tour looks for it when the step is shown: a panel added later
(the Tips panel) is found, and a panel the person closed is skipped. Adding a step is adding an entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TourStep:
    key: str  # stable name (tests, logs)
    title: str
    text: str
    # objectNames tried in order; the first one that is on screen is highlighted. Empty: no target (the
    # callout stands in the middle of the window, e.g. the welcome)
    targets: tuple[str, ...] = ()


STEPS: tuple[TourStep, ...] = (
    TourStep("welcome", "Welcome to Chorus",
             "A one-minute tour of the window. Use Next and Back (or the arrow keys), or Skip: you can take "
             "the tour again from Help → Take the tour. You can keep typing while it is open."),
    TourStep("drafts", "Your drafts",
             "Every post you start is kept here and saved as you type. Search them with Ctrl+F; Ctrl+N starts "
             "a new one.", ("drafts-panel",)),
    TourStep("editor", "Write your post",
             "Type here. The counters show how much room each network leaves, and words that break your "
             "company's policy are underlined as you write.", ("composer",)),
    TourStep("findings", "What the policy says",
             "Each finding explains which rule it comes from and why, with a tip and, where there is one, a "
             "quick fix. Warnings can be acknowledged with a reason; blocks must be fixed.", ("panel-policy",)),
    TourStep("ideas", "Ideas to write about",
             "Ideas from your company's feeds (news, releases, talks, job openings) and from your own notes. "
             "Write about this opens a draft with the link and a question about your angle; the suggested copy "
             "stays beside it, for reference. Write in your own words: identical posts from many colleagues "
             "read as fake, and the networks show them to fewer people.", ("panel-ideas",)),
    TourStep("tips", "Tips for posting well",
             "Short tips for the findings in your post and the networks you chose: what to share, what "
             "to keep inside the company, and each network's habits.", ("panel-tips",)),
    TourStep("accounts", "Your accounts",
             "Link your own social-media accounts here. Chorus keeps their sign-in in your system's "
             "keyring, never in its files.", ("panel-accounts",)),
    TourStep("publish", "Publish",
             "When the post is ready, choose the accounts and publish (Ctrl+Return). Chorus refuses while a "
             "blocking finding is left.", ("publish-button",)),
)
