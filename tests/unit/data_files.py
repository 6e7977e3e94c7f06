"""Databases written by every past schema version, kept as files (see tests/data/README.md)."""

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
V1_DATABASE = DATA / "drafts-v1.db"
V2_DATABASE = DATA / "drafts-v2.db"
V3_DATABASE = DATA / "drafts-v3.db"
V4_DATABASE = DATA / "drafts-v4.db"
V5_DATABASE = DATA / "drafts-v5.db"
V6_DATABASE = DATA / "drafts-v6.db"
