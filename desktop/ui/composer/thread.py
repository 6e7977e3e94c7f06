"""The "Split into a thread" offer under the editor, when the post is over a chosen network's limit.

    offer = ThreadOffer.install(composer, runner, limits.options, publish_bar)

A one-line bar between the editor and the counters, hidden while the post fits:

- over the limit of a network with threads (Bluesky, Mastodon): "Too long for Bluesky." with
  **Split into a thread** and **Number the parts (1/3)**;
- once chosen: "Publishing as a thread: Bluesky 3 posts, Mastodon 2 posts." with **Publish as one
  post** to undo; the parts are split on the compute lane (:func:`desktop.core.threads.split`, the
  pure function the preview calls too), never on the GUI thread;
- a split that cannot be done (a link alone over the limit) says why instead.

The choice is kept per draft. With it, the publish bar publishes the draft with
``desktop.core.publishing.thread.publish_thread`` and no longer counts as blocks the length findings of networks
that get a thread, or that the thread does not go to (:meth:`ThreadOffer.publish_refusal`; the
service checks every part again for every chosen account).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QBoxLayout, QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from desktop.core.networks import DISPLAY_NAMES
from desktop.core.publishing import verdict
from desktop.core.threads import ThreadError, can_thread, split

if TYPE_CHECKING:
    from desktop.ui.common.tasks import TaskRunner
    from desktop.ui.composer.composer import Composer


def thread_parts(text: str, networks: Sequence[str], limits: Mapping[str, Mapping[str, int]], *,
                 numbered: bool = True) -> dict[str, tuple[str, ...] | str]:
    """The thread each of *networks* (those with threads) would get: its parts, or why it cannot
    be split. Pure (runs on a worker); the preview shows the same parts."""
    result: dict[str, tuple[str, ...] | str] = {}
    for network in networks:
        if can_thread(network):
            try:
                result[network] = split(text, network, limits.get(network), numbered=numbered)
            except ThreadError as exc:
                result[network] = f"{exc} {exc.advice}".strip()
    return result


class ThreadOffer(QWidget):
    """See the module docstring. :attr:`chosen_changed` fires when the author splits or undoes it."""

    chosen_changed = Signal()

    def __init__(self, composer: Composer, runner: TaskRunner, count_options: Callable[[], dict[str, dict[str, int]]],
                 networks: Callable[[], Sequence[str]] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent or composer)
        self.composer = composer
        self._runner = runner
        self._count_options = count_options
        self._networks = networks or (lambda: tuple(composer.counter_labels))
        self._chosen: dict[str, bool] = {}  # draft id -> numbered
        self._generation = 0
        self.parts: dict[str, tuple[str, ...] | str] = {}  # the chosen thread, per network (or why not)
        self.setAccessibleName("Thread")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.split_button = QPushButton("Split into a thread", self)
        self.split_button.setToolTip("Publish the post as several posts, each a reply to the one before, cut at "
                                     "sentence ends so that each fits.")
        self.numbered = QCheckBox("Number the parts (1/3)", self)
        self.numbered.setChecked(True)
        self.undo_button = QPushButton("Publish as one post", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.numbered)
        layout.addWidget(self.split_button)
        layout.addWidget(self.undo_button)
        self.split_button.clicked.connect(self.choose)
        self.undo_button.clicked.connect(self.undo)
        self.numbered.toggled.connect(self._numbering_changed)
        composer.counted.connect(self.refresh)
        self.hide()

    @classmethod
    def install(cls, composer: Composer, runner: TaskRunner, count_options: Callable[[], dict[str, dict[str, int]]],
                publish_bar: Any = None) -> ThreadOffer:
        """Put the offer under *composer*'s editor and, with *publish_bar*, publish chosen threads there."""
        networks = None
        if publish_bar is not None:
            def networks() -> tuple[str, ...]:
                chosen = set(publish_bar.chosen())
                return tuple(dict.fromkeys(r.account.network for r in publish_bar.records if r.account.id in chosen))
        offer = cls(composer, runner, count_options, networks)
        layout = composer.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(1, offer)
        if publish_bar is not None:
            publish_bar.thread_offer = offer
            offer.chosen_changed.connect(publish_bar.update_state)
            publish_bar.picker.targets_changed.connect(lambda _ids: offer.refresh())
        return offer

    # -- what the publish bar asks -----------------------------------------------------------------
    def numbered_for(self, draft_id: str) -> bool | None:
        """None when *draft_id* is published as one post; else whether its thread's parts are numbered."""
        return self._chosen.get(draft_id)

    def publish_refusal(self) -> str | None:
        """The composer's refusal, except that with a thread chosen the length findings of networks
        that get a thread do not block (each part fits; the service checks every part again)."""
        refusal = self.composer.publish_refusal()
        draft = self.composer.draft
        if refusal is None or draft is None or draft.id not in self._chosen:
            return refusal
        if self.composer.policy.state in ("off", "loading", "pending", "failed"):
            return refusal
        targets = set(self._networks())
        standing = [item for item in self.composer.findings if not self._split_away(item.finding, targets)]
        blocks = [item.finding for item in standing if item.severity == "block"]
        warnings = [item for item in standing if item.severity == "warn" and item.counts]
        if any(isinstance(parts, str) for parts in self.parts.values()):
            return next(parts for parts in self.parts.values() if isinstance(parts, str))
        return verdict.refusal(blocks, len(warnings))

    @staticmethod
    def _split_away(finding: Any, targets: set[str]) -> bool:
        """A length finding the thread answers: for a network that gets a thread (each part fits), or
        for one the thread is not published to (only the chosen accounts' networks get it)."""
        network = getattr(finding, "network", None)
        return isinstance(network, str) and bool(network) and (can_thread(network) or network not in targets)

    # -- the author's choice ---------------------------------------------------------------------
    def choose(self) -> None:
        draft = self.composer.draft
        if draft is None:
            return
        self._chosen[draft.id] = self.numbered.isChecked()
        self.refresh()
        self.chosen_changed.emit()

    def undo(self) -> None:
        draft = self.composer.draft
        if draft is not None and self._chosen.pop(draft.id, None) is not None:
            self.parts = {}
            self.refresh()
            self.chosen_changed.emit()

    def _numbering_changed(self, numbered: bool) -> None:
        draft = self.composer.draft
        if draft is not None and draft.id in self._chosen:
            self._chosen[draft.id] = numbered
            self.refresh()
            self.chosen_changed.emit()

    def refresh(self) -> None:
        """Show the offer, the chosen thread, or nothing, for the text as last counted."""
        draft = self.composer.draft
        networks = [n for n in self._networks() if can_thread(n)]
        counts = {n: label.count for n, label in self.composer.counter_labels.items()}
        over = [n for n in networks if (count := counts.get(n)) is not None and count.over]
        chosen = draft is not None and draft.id in self._chosen
        self.split_button.setVisible(not chosen)
        self.undo_button.setVisible(chosen)
        if chosen and draft is not None:
            with QSignalBlocker(self.numbered):
                self.numbered.setChecked(self._chosen[draft.id])
            self._split(networks)
        elif over:
            names = " and ".join(DISPLAY_NAMES[n] for n in over)
            self.label.setText(f"Too long for {names}.")
        self.setVisible(chosen or bool(over))

    def _split(self, networks: list[str]) -> None:
        """Split on the compute lane; an older split arriving late is dropped."""
        self._generation += 1
        generation = self._generation
        text, limits = self.composer.text(), self._count_options()
        numbered = self.numbered.isChecked()
        if not self.parts:
            self.label.setText("Splitting into a thread…")
        self._runner.run(lambda: thread_parts(text, networks, limits, numbered=numbered),
                         on_success=lambda parts: self._show_parts(generation, parts), owner=self, lane="compute")

    def _show_parts(self, generation: int, parts: dict[str, tuple[str, ...] | str]) -> None:
        if generation != self._generation:
            return
        self.parts = parts
        problems = [why for why in parts.values() if isinstance(why, str)]
        if problems:
            self.label.setText(problems[0])
        else:
            sizes = ", ".join(f"{DISPLAY_NAMES[n]} {len(p)} post{'s' if len(p) != 1 else ''}"
                              for n, p in parts.items())
            self.label.setText(f"Publishing as a thread: {sizes}." if sizes else "Publishing as a thread.")
        self.label.setToolTip("\n\n".join(f"{DISPLAY_NAMES[n]}:\n" + "\n—\n".join(p)
                                          for n, p in parts.items() if not isinstance(p, str)))
        self.chosen_changed.emit()
