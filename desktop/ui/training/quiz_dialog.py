"""The check of understanding: one post at a time, "Can this post go out as it is?", then the rule's answer.

Keyboard-operable: **Y** / **N** (or Alt+Y / Alt+N, or Tab and Space) answer, **Enter** goes on,
**Esc** closes. The focus moves to the next control that makes sense (the answers, then Next), so the
whole check can be done without the mouse. At the end the score is shown and :attr:`QuizDialog.completed`
carries the :class:`~desktop.core.training.quiz.QuizResult` for the feature to record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.networks import DISPLAY_NAMES
from desktop.core.training.quiz import NO, YES
from desktop.ui.common.theme import set_text_colour, status_color

if TYPE_CHECKING:
    from desktop.core.training import Quiz, QuizResult


class QuizDialog(QDialog):
    completed = Signal(object)  # QuizResult, once every question is answered

    def __init__(self, quiz: Quiz, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quiz = quiz
        self.answers: list[bool] = []
        self.outcome: QuizResult | None = None
        self.setObjectName("quiz-dialog")
        self.setWindowTitle(quiz.title)
        self.resize(560, 340)
        self.progress = QLabel(self)
        self.progress.setObjectName("quiz-progress")
        self.post = QLabel(self)
        self.post.setObjectName("quiz-post")
        self.post.setWordWrap(True)
        self.post.setTextFormat(Qt.TextFormat.PlainText)
        self.post.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.post.setAccessibleName("The post")
        font = self.post.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.post.setFont(font)
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setAutoFillBackground(True)
        frame.setBackgroundRole(QPalette.ColorRole.Base)
        inside = QVBoxLayout(frame)
        inside.setContentsMargins(14, 12, 14, 12)
        inside.addWidget(self.post)
        self.where = QLabel(self)
        self.prompt = QLabel(self)
        self.prompt.setObjectName("quiz-prompt")
        bold = self.prompt.font()
        bold.setBold(True)
        self.prompt.setFont(bold)
        self.yes_button = QPushButton(f"&{YES}", self)
        self.yes_button.setObjectName("quiz-yes")
        self.no_button = QPushButton(f"&{NO}", self)
        self.no_button.setObjectName("quiz-no")
        for button in (self.yes_button, self.no_button):
            button.setAutoDefault(False)
        self.yes_button.clicked.connect(lambda: self.answer(True))
        self.no_button.clicked.connect(lambda: self.answer(False))
        answers = QHBoxLayout()
        answers.addWidget(self.yes_button)
        answers.addWidget(self.no_button)
        answers.addStretch(1)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("quiz-verdict")
        self.verdict.setFont(bold)
        self.explanation = QLabel(self)
        self.explanation.setObjectName("quiz-explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.next_button = QPushButton("&Next", self)
        self.next_button.setObjectName("quiz-next")
        self.next_button.clicked.connect(self.next)
        self.close_button = QPushButton("&Close", self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(frame)
        layout.addWidget(self.where)
        layout.addSpacing(6)
        layout.addWidget(self.prompt)
        layout.addLayout(answers)
        layout.addSpacing(6)
        layout.addWidget(self.verdict)
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self._show_question()

    @property
    def index(self) -> int:
        return len(self.answers)

    def _show_question(self) -> None:
        questions = self.quiz.questions
        if not questions:
            self.progress.setText("This policy has no examples to build questions from.")
            for widget in (self.post, self.where, self.prompt, self.yes_button, self.no_button, self.next_button):
                widget.hide()
            return
        question = questions[self.index]
        self.progress.setText(f"Question {self.index + 1} of {len(questions)}")
        self.post.setText(question.post)
        self.where.setText(f"To be posted on {DISPLAY_NAMES.get(question.network, question.network)}"
                           if question.network else "")
        self.where.setVisible(bool(question.network))
        self.prompt.setText(question.prompt)
        self.yes_button.setEnabled(True)
        self.no_button.setEnabled(True)
        self.verdict.setText("")
        self.explanation.setText("Answer with Y or N.")
        self.next_button.setEnabled(False)
        self.yes_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def answer(self, can_go_out: bool) -> None:
        """Answer the current question (what Yes and No do)."""
        if self.outcome is not None or self.index >= len(self.quiz.questions) or not self.yes_button.isEnabled():
            return
        question = self.quiz.questions[self.index]
        self.answers.append(can_go_out)
        right = can_go_out == question.can_go_out
        given = YES if can_go_out else NO
        self.verdict.setText(f"{'Right' if right else 'Not quite'}: you answered “{given}”.")
        set_text_colour(self.verdict, status_color(self.verdict.palette(), "ok" if right else "block"))
        self.explanation.setText(question.answer)
        self.yes_button.setEnabled(False)
        self.no_button.setEnabled(False)
        last = self.index >= len(self.quiz.questions)
        self.next_button.setText("See my &result" if last else "&Next")
        self.next_button.setEnabled(True)
        self.next_button.setDefault(True)
        self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def next(self) -> None:
        """The next question, or the result after the last one."""
        if self.outcome is not None:
            self.accept()
            return
        if self.index < len(self.quiz.questions):
            self._show_question()
            return
        self.outcome = self.quiz.grade(self.answers)
        self.progress.setText("Your result")
        for widget in (self.post.parentWidget(), self.where, self.prompt, self.yes_button, self.no_button):
            if widget is not None:
                widget.hide()
        self.verdict.setText(self.outcome.score_text())
        set_text_colour(self.verdict, status_color(self.verdict.palette(), "ok" if self.outcome.passed else "warn"))
        wrong = [self.quiz.questions[i] for i in self.outcome.wrong]
        self.explanation.setText("Every answer was right." if not wrong else "To read again:\n\n" + "\n\n".join(
            f"“{q.post}”: {q.answer}" for q in wrong))
        self.next_button.setText("&Done")
        self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.completed.emit(self.outcome)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Y and self.yes_button.isVisible() and self.yes_button.isEnabled():
            self.answer(True)
        elif key == Qt.Key.Key_N and self.no_button.isVisible() and self.no_button.isEnabled():
            self.answer(False)
        else:
            super().keyPressEvent(event)
