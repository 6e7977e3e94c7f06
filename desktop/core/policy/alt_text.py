"""The alt-text rule (``kind = "alt_text"``): every image attached to a post needs a description.

Alt text is what screen readers read out and what people see when an image does not load. The rule
reads the alt texts passed to :meth:`desktop.core.policy.Policy.check` (``alt_texts=``), one per
attached image in order, and gives one finding per image whose alt text is missing or shorter than
``min_length`` characters (default 1: only missing alt text). A finding is about the image, not a
passage of the post: its span is empty at the start of the post, its message names the image by
position ("Image 2 of 3 has no alt text") and :attr:`Finding.text` is "" (acknowledgements tell
images apart by the finding's occurrence, the image's position).

    [[rules]]
    id = "image-alt-text"
    category = "accessibility"
    kind = "alt_text"
    severity = "warn"
    min_length = 1
    message = "{image} has no alt text"
    tip = "Describe what the image shows and why it matters to the post…"
    examples = { flag = [""], pass = ["Bar chart: sign-ups doubled from March to June"] }

Its examples are alt texts of one image attached to an empty post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from desktop.core.policy.model import Finding
from desktop.core.policy.rules import Document, Rule


@dataclass
class AltTextRule(Rule):
    min_length: int = 1
    reads_alt_texts: ClassVar[bool] = True
    priority: ClassVar[int] = 0  # no work on the post's text: before the author's patterns (Rule.priority)

    def check(self, doc: Document) -> list[Finding]:
        findings = []
        count = len(doc.alt_texts)
        for position, alt in enumerate(doc.alt_texts, start=1):
            if len(alt.strip()) >= self.min_length:
                continue
            image = f"Image {position} of {count}" if count > 1 else "The image"
            finding = self.finding(doc, 0, 0)
            missing = "has no alt text" if not alt.strip() else "has a very short alt text"
            message = self.message.replace("{image}", image) if "{image}" in self.message \
                else f"{image} {missing}: {self.message}"
            findings.append(Finding(**{**finding.__dict__, "message": message}))
        return findings
