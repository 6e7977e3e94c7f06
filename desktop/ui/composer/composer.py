"""The composer: the post's text and live per-network length counters.

Counting follows each network's real rules (``desktop.core.counters``). The X and Mastodon rules
need about 0.4 s of one-off set-up (twitter-text's tables), done on the compute lane right after
start. Once that is done, a post of normal length is counted on the GUI thread (about 0.1 ms for
a typical post, ~13 ms at the inline limit); before it, or for a long paste, counting runs on the
compute lane and a result for an older revision of the text is dropped, so typing never waits.

With a policy (:meth:`Composer.set_policy`, or a plain ``checker``) the composer also checks the
text live (:mod:`desktop.ui.policy.live_check`): findings are underlined in the editor, listed by the
findings panel, summed up beside the counters, and exposed here for publishing
(:attr:`Composer.findings`, :attr:`Composer.blocked`, :meth:`Composer.publish_refusal`,
:attr:`Composer.findings_changed`).

Which networks the policy checks for: the composer's networks (the same as the length counters),
all of them: the whole policy runs once for the policy's default network (or the first of the
composer's networks when the default is not among them), and the network-dependent rules (the
length rule, rules limited to some networks) run again for each other network, so a post gets a
"too long" finding for each selected network it does not fit (see
:class:`desktop.core.policy.targets.TargetedCheck`). With no network selected the policy's
default network is used.

Images (:mod:`desktop.ui.composer.attachments`): dropped or pasted on the editor, or chosen with
"Add image…", shown under the editor with their alt texts and kept with the draft (the drafts
database's ``draft_media``). Their alt texts go into the live check (the ``alt_text`` rule), and
:meth:`Composer.images` hands them to publishing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget

from desktop.core.drafts import Draft, DraftStore
from desktop.core.drafts.media import DraftMedia
from desktop.core.media import Attachment
from desktop.core.networks import DISPLAY_NAMES
from desktop.core.publishing.verdict import count_words
from desktop.ui.common.flow import FlowLayout
from desktop.ui.common.tasks import TaskRunner
from desktop.ui.common.theme import status_color
from desktop.ui.composer.attachments import AttachmentsStrip, PostEditor
from desktop.ui.policy.live_check import Checker, LivePolicyCheck
from desktop.ui.policy.live_finding import AcknowledgementStore, LiveFinding

if TYPE_CHECKING:  # imported on first use: the counters load `regex`, not needed for the first paint
    from desktop.core import counters
    from desktop.core.policy import Policy

INLINE_COUNT_LIMIT = 10_000  # characters; longer texts are counted off the GUI thread


class CounterLabel(QLabel):
    def __init__(self, network: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network = network
        self.count: counters.Count | None = None
        self.setAccessibleName(f"{DISPLAY_NAMES[network]} length")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)  # whole, never cut

    def show_count(self, count: counters.Count) -> None:
        self.count = count
        name = DISPLAY_NAMES[self.network]
        text = f"{name} {count.used:,}/{count.limit:,}"
        detail = f"{count.used:,} of {count.limit:,} {count.unit}"
        if count.bytes_limit is not None and count.bytes_used is not None:
            detail += f"\n{count.bytes_used:,} of {count.bytes_limit:,} bytes"
            if count.bytes_used > count.bytes_limit:
                text += f" ({count.bytes_used:,}/{count.bytes_limit:,} bytes)"
        if count.over:
            detail += f"\nToo long for {name}: shorten the post before publishing there."
        self.setText(text)
        self.setToolTip(detail)
        self.setAccessibleDescription(detail.replace("\n", ". "))
        self._repaint_colour()

    def _repaint_colour(self) -> None:
        palette = self.palette()
        over = self.count is not None and self.count.over
        parent = self.parentWidget()
        colour = status_color(palette, "over") if over else (parent if parent is not None else self).palette().color(
            QPalette.ColorRole.PlaceholderText
        )
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.setPalette(palette)
        font = self.font()
        font.setBold(over)
        self.setFont(font)

    def changeEvent(self, event) -> None:  # re-derive colours when the theme changes
        super().changeEvent(event)
        if event.type() == event.Type.ApplicationPaletteChange and self.count is not None:
            self._repaint_colour()


class Composer(QWidget):
    """Emits :attr:`edited` (draft id, text) on every change the user makes.

    *checker* is a fixed ``check(text) -> list[Finding]`` (None: no live checking until
    :meth:`set_policy`); *policy_version* keys the author's acknowledgements, kept through
    *acknowledgements* (the drafts database, called on the ``db`` lane only).
    """

    edited = Signal(str, str)
    counted = Signal()  # the counters show the current text
    findings_changed = Signal(list)  # list[LiveFinding], after every policy check or acknowledgement change
    images_changed = Signal()  # the open draft's images or their alt texts changed (see images())

    def __init__(
        self,
        runner: TaskRunner,
        networks: Sequence[str],
        count_options: Callable[[], dict[str, dict[str, int]]],
        parent: QWidget | None = None,
        *,
        checker: Checker | None = None,
        policy_version: str = "",
        acknowledgements: AcknowledgementStore | None = None,
        media: DraftMedia | None = None,
    ) -> None:
        """*media* keeps the drafts' images (default: beside the drafts database when *acknowledgements*
        is one; None and no database: images cannot be attached)."""
        super().__init__(parent)
        self._runner = runner
        self._count_options = count_options
        self._draft: Draft | None = None
        self._loading = False
        self._count_generation = 0
        self.editor: QPlainTextEdit = PostEditor(self)
        self.editor.setAccessibleName("Post text")
        self.editor.setPlaceholderText("Write your post…")
        self.editor.setTabChangesFocus(True)
        self.editor.setEnabled(False)
        self.counter_labels: dict[str, CounterLabel] = {}
        self.policy_summary = QLabel(self)
        self.policy_summary.setAccessibleName("Policy check")
        self.policy_summary.setTextFormat(Qt.TextFormat.RichText)
        self.policy_summary.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        # the counters, then the policy summary on the right; they wrap onto more lines in a narrow
        # window instead of being cut (a cut counter reads as a wrong number)
        self.footer = FlowLayout(spacing=18, line_spacing=2, trailing=True)
        self.footer.setContentsMargins(2, 0, 2, 0)
        self.footer.addWidget(self.policy_summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._policy_object: Policy | None = None
        self._committed: frozenset[str] | None = None  # networks with a linked account (set_committed_networks)
        self._networks: tuple[str, ...] = tuple(networks)
        if media is None and isinstance(acknowledgements, DraftStore):
            media = DraftMedia(acknowledgements)
        self.attachments = AttachmentsStrip(runner, media, lambda: self._networks, self)
        self.attachments.setObjectName("attachments")
        self.editor.images_offered.connect(self.attachments.add_sources)
        self.attachments.changed.connect(self._images_changed)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.attachments)
        layout.addLayout(self.footer)
        self.set_networks(networks)
        self._recount_timer = QTimer(self)
        self._recount_timer.setSingleShot(True)
        self._recount_timer.setInterval(60)
        self._recount_timer.timeout.connect(self.recount)
        self.policy = LivePolicyCheck(self.editor, runner, checker, policy_version, acknowledgements, self)
        self.policy.findings_changed.connect(self.findings_changed)
        self.policy.findings_changed.connect(self._show_policy_summary)
        self._show_policy_summary()
        self.editor.textChanged.connect(self._on_text_changed)
        self._warm_up_started = False

    # -- public --------------------------------------------------------------------------------
    @property
    def draft(self) -> Draft | None:
        return self._draft

    def text(self) -> str:
        return self.editor.toPlainText()

    @property
    def findings(self) -> list[LiveFinding]:
        """The policy findings of the current text (acknowledged ones included, see ``LiveFinding.counts``)."""
        return self.policy.findings

    @property
    def blocked(self) -> bool:
        """Publishing must be refused and the author cannot acknowledge it away: a block finding stands, or
        there is no valid policy (fail closed), or the check failed. See also :meth:`publish_refusal`."""
        return self.policy.blocked

    def publish_refusal(self) -> str | None:
        """Why the current text may not be published now (None: it may). Covers no valid policy, a policy
        still loading, a check not yet finished or failed, block findings and unacknowledged warnings,
        and images still being read or attached."""
        if self._draft is not None and self.attachments.busy:
            return "Publishing waits until the images are attached."
        return self.policy.publish_refusal()

    def images(self) -> list[Attachment]:
        """The open draft's images, in order, with their alt texts (for publishing and previews)."""
        return self.attachments.images()

    @property
    def checking_policy(self) -> Policy | None:
        """The policy the text is checked against (None: a plain checker, or none)."""
        return self._policy_object

    def set_policy(self, policy: Policy | None, off_reason: str | None = None) -> None:
        """Check against *policy* for the composer's networks; None turns checking off, saying *off_reason*."""
        self._policy_object = policy
        if policy is None:
            self.policy.set_checker(None, "", off_reason)
            return
        self.policy.set_checker(self._targeted_check(policy), policy.version_key)

    def policy_loading(self) -> None:
        self.policy.set_loading()

    def _targeted_check(self, policy: Policy) -> Checker:
        from desktop.core.policy.targets import TargetedCheck

        limits = {network: own for network, own in self._count_options().items() if own}
        return TargetedCheck(policy, self._networks, limits or None, alt_texts=self.attachments.alt_texts(),
                             committed=self._committed)

    def _images_changed(self) -> None:
        """Images or alt texts changed: check again with the new alt texts (a new checker: it is pure)."""
        if self._policy_object is not None:
            self.policy.set_checker(self._targeted_check(self._policy_object), self._policy_object.version_key)
        self.images_changed.emit()

    def set_committed_networks(self, networks: Collection[str] | None) -> None:
        """The networks the author has accounts linked for (None: unknown, every network counts in full).
        Length findings for the other counted networks (X, by default) are then only advisory
        (:class:`desktop.core.policy.targets.TargetedCheck`)."""
        committed = frozenset(networks) if networks is not None else None
        if committed == self._committed:
            return
        self._committed = committed
        if self._policy_object is not None:
            self.policy.set_checker(self._targeted_check(self._policy_object), self._policy_object.version_key)

    def limits_changed(self) -> None:
        """The counters' options changed (a linked Mastodon instance's limit): count and check again."""
        self.recount()
        if self._policy_object is not None:
            self.policy.set_checker(self._targeted_check(self._policy_object), self._policy_object.version_key)

    def set_draft(self, draft: Draft | None) -> None:
        self._loading = True
        try:
            self._draft = draft
            self.editor.setPlainText(draft.body if draft else "")
            self.editor.setEnabled(draft is not None)
        finally:
            self._loading = False
        self.attachments.set_draft(draft.id if draft else None)
        self.policy.draft_opened(draft.id if draft else None)
        self.recount()

    def set_networks(self, networks: Sequence[str]) -> None:
        """The networks to count for and to check the policy for."""
        changed = tuple(networks) != self._networks
        self._networks = tuple(networks)
        if changed and self._policy_object is not None:
            self.policy.set_checker(self._targeted_check(self._policy_object), self._policy_object.version_key)
        for label in self.counter_labels.values():
            self.footer.removeWidget(label)
            label.deleteLater()
        self.counter_labels = {n: CounterLabel(n, self) for n in networks}
        for index, label in enumerate(self.counter_labels.values()):
            self.footer.insertWidget(index, label)
        if hasattr(self, "_recount_timer"):
            self.recount()

    def set_font_size(self, points: int) -> None:
        font = QFont(self.editor.font())
        font.setPointSize(points)
        self.editor.setFont(font)

    def recount(self) -> None:
        from desktop.core import counters

        text = self.text()
        options = self._count_options()
        networks = tuple(self.counter_labels)
        self._count_generation += 1
        generation = self._count_generation
        if len(text) <= INLINE_COUNT_LIMIT and counters.is_warm():
            self._show_counts(generation, counters.count_all(text, networks, limits=options))
            return
        self._runner.run(
            lambda: counters.count_all(text, networks, limits=options),
            on_success=lambda result: self._show_counts(generation, result),
            owner=self,
            lane="compute",
        )

    # -- internals -----------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._warm_up_started:
            # after the first paint, so the one-off set-up does not compete with start-up
            self._warm_up_started = True
            QTimer.singleShot(200, self._warm_up)

    def _warm_up(self) -> None:
        from desktop.core import counters

        self._runner.run(counters.warm_up, on_success=lambda _none: self.recount(), owner=self, lane="compute")

    def _on_text_changed(self) -> None:
        if self._loading or self._draft is None:
            return
        self.edited.emit(self._draft.id, self.text())
        self._recount_timer.start()
        self.policy.text_edited()

    def _show_policy_summary(self, _findings: object = None) -> None:
        """One line beside the counters: what stands in the way of publishing, in the severity colours."""
        check = self.policy
        palette = self.palette()
        muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
        state = check.state
        tip = ""
        if state == "off":
            text = f"<span style='color:{status_color(palette, 'warn').name()}'>⚠ Policy checking off</span>"
            tip = check.publish_refusal() or ""
        elif state == "loading":
            text = f"<span style='color:{muted}'>Loading policy…</span>"
        elif state == "failed":
            text = f"<span style='color:{status_color(palette, 'block').name()}'>⚠ Policy check failed</span>"
            tip = check.error or ""
        else:
            standing = [f for f in check.findings if f.counts]
            parts = []
            for severity in ("block", "warn", "info"):
                n = sum(1 for f in standing if f.severity == severity)
                if n:
                    parts.append(f"<span style='color:{status_color(palette, severity).name()}'>"
                                 f"{count_words(n, severity)}</span>")
            if parts:
                text = " · ".join(parts)
            elif self._draft is not None:
                text = f"<span style='color:{status_color(palette, 'ok').name()}'>✓ Policy: no problems</span>"
            else:
                text = ""
            tip = check.publish_refusal() or "Nothing in the policy stops publishing this post."
        self.policy_summary.setText(text)
        self.policy_summary.setToolTip(tip)
        self.policy_summary.setAccessibleDescription(tip)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange) and hasattr(self, "policy"):
            self._show_policy_summary()

    def _show_counts(self, generation: int, result: dict[str, counters.Count]) -> None:
        if generation != self._count_generation:
            return  # an older text; a newer count is on its way
        for network, count in result.items():
            label = self.counter_labels.get(network)
            if label is not None:
                label.show_count(count)
        self.counted.emit()
