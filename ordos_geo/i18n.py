"""Output languages: one :data:`Lang` type and the check of a ``--lang`` value.

Examples
--------
>>> check_lang("zh")
'zh'
"""

from __future__ import annotations

from typing import Literal, cast, get_args

from ordos_geo.errors import ConfigError

__all__ = ["LANGS", "Lang", "check_lang"]

#: Output language of maps, reports and tables: Chinese (default) or English.
Lang = Literal["zh", "en"]
#: The accepted values of :data:`Lang`.
LANGS: tuple[str, ...] = get_args(Lang)


def check_lang(value: str) -> Lang:
    """Return ``value`` as a :data:`Lang`, or raise a one-line :class:`ConfigError`."""
    if value not in LANGS:
        raise ConfigError(f"--lang: {value!r} is not a language; use one of: {', '.join(LANGS)}")
    return cast(Lang, value)
