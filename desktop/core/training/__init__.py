"""Understanding the company policy: its summary, the acknowledgement gate and a check of understanding.

- :mod:`~desktop.core.training.summary`: a summary generated from the policy's rules (by category,
  with severities, owner, contact and version), as data, text and HTML;
- :mod:`~desktop.core.training.quiz`: questions built from each rule's own ``examples``;
- :mod:`~desktop.core.training.records`: the local record of acknowledgements and quiz results,
  word for word (one table, exported by the audit trail);
- :mod:`~desktop.core.training.gate`: publishing waits until the policy in force is acknowledged
  (and, when IT requires it, the check of understanding passed).

Plain Python; the UI is :mod:`desktop.ui.training`.
"""

from desktop.core.training.gate import GateStatus, PolicyGate
from desktop.core.training.quiz import Question, Quiz, QuizResult, build_quiz
from desktop.core.training.records import ACKNOWLEDGEMENT, QUIZ, TrainingRecord, TrainingRecords
from desktop.core.training.summary import PolicySummary, summarise

__all__ = ["ACKNOWLEDGEMENT", "QUIZ", "GateStatus", "PolicyGate", "PolicySummary", "Question", "Quiz", "QuizResult",
           "TrainingRecord", "TrainingRecords", "build_quiz", "summarise"]
