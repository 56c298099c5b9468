"""Configuration schema of the ``medkb/audience`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from medkb.audience.blocks import DEFAULT_AUDIENCES


class AudienceItem(Config):
    """One audience readers can pick."""

    id = c.Type(str)
    """Identifier used in Markdown blocks, URLs and storage: lowercase letters, digits and hyphens."""
    label = c.Type(str)
    """What the picker shows, e.g. "Patient or caregiver"."""
    description = c.Type(str, default="")
    """A short line under the label."""


class AudienceConfig(Config):
    """Options of ``medkb/audience``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""

    audiences = c.ListOfItems(
        c.SubConfig(AudienceItem),
        default=[{"id": i, "label": label, "description": d} for i, label, d in DEFAULT_AUDIENCES],
    )
    """The audiences, in the order the picker lists them."""

    default = c.Optional(c.Type(str))
    """The audience shown before a reader chooses (and without JavaScript); default: the first."""

    picker_title = c.Type(str, default="Personalize")
    picker_subtitle = c.Type(str, default="Help us tailor your experience")
    picker_question = c.Type(str, default="Which best describes you?")
    picker_note = c.Type(str, default="Your choice helps us use language that's most understandable for you.")
    reading_as_label = c.Type(str, default="Reading as:")
    """The picker's one line once a reader has chosen: "Reading as: Patient or caregiver · Change"."""
    change_label = c.Type(str, default="Change")
    """The button on that line that opens the choices again."""

    storage_key = c.Type(str, default="kb-audience")
    """``localStorage`` key of the reader's choice."""
