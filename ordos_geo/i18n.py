"""Output languages: one :data:`Lang` type and the check of a ``--lang`` value.

Also the few code → label tables every output shares (provenance, confidence, the
banners by adcode), so maps, reports and tables say the same thing.

Examples
--------
>>> check_lang("zh")
'zh'
>>> code_label("banner", "150625", "zh"), code_label("confidence", "low", "zh")
('杭锦旗', '低')
>>> code_label("banner", "150625", "en"), code_label("rl_type", "biodiversity", "zh")
('Hanggin Banner', 'biodiversity')
"""

from __future__ import annotations

from typing import Literal, cast, get_args

from ordos_geo.errors import ConfigError

__all__ = ["BANNER_NAMES", "CONFIDENCE_ZH", "LANGS", "PROVENANCE_ZH", "Lang", "check_lang",
           "code_label"]

#: Output language of maps, reports and tables: Chinese (default) or English.
Lang = Literal["zh", "en"]
#: The accepted values of :data:`Lang`.
LANGS: tuple[str, ...] = get_args(Lang)


def check_lang(value: str) -> Lang:
    """Return ``value`` as a :data:`Lang`, or raise a one-line :class:`ConfigError`."""
    if value not in LANGS:
        raise ConfigError(f"--lang: {value!r} is not a language; use one of: {', '.join(LANGS)}")
    return cast(Lang, value)


#: zh labels of the ``provenance`` values.
PROVENANCE_ZH: dict[str, str] = {"illustrative": "示意", "derived": "派生", "official": "官方",
                                 "user": "用户"}
#: zh labels of the ``confidence`` values.
CONFIDENCE_ZH: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}
#: Ordos' districts and banners by adcode (GB/T 2260): (zh, en).
BANNER_NAMES: dict[str, tuple[str, str]] = {
    "150602": ("东胜区", "Dongsheng District"), "150603": ("康巴什区", "Kangbashi District"),
    "150621": ("达拉特旗", "Dalad Banner"), "150622": ("准格尔旗", "Jungar Banner"),
    "150623": ("鄂托克前旗", "Otog Front Banner"), "150624": ("鄂托克旗", "Otog Banner"),
    "150625": ("杭锦旗", "Hanggin Banner"), "150626": ("乌审旗", "Uxin Banner"),
    "150627": ("伊金霍洛旗", "Ejin Horo Banner"),
}


def code_label(field: str, value: object, lang: Lang) -> object:
    """The reader's label of a coded attribute value; other values unchanged.

    ``banner`` / ``banner_adcode`` adcodes become banner names (in ``lang``);
    ``provenance``, ``confidence`` and ``location_confidence`` codes are translated in zh.
    """
    if not isinstance(value, str | int):
        return value
    key = str(value).strip()
    if field in ("banner", "banner_adcode") and key in BANNER_NAMES:
        return BANNER_NAMES[key][0 if lang == "zh" else 1]
    if lang == "zh" and field == "provenance":
        return PROVENANCE_ZH.get(key, value)
    if lang == "zh" and field in ("confidence", "location_confidence"):
        return CONFIDENCE_ZH.get(key, value)
    return value
