"""Tone check: a crisis message should sound like a person who takes it seriously.

It should say what is affected, what we know, what customers can do and when the next
update comes; it should not joke, shout, or promise when the fix lands (promise the next
update, never the fix). Every finding is a warning: the person posting decides.

The rules know English, Chinese and Russian, and every text is checked against all of them
(a Russian promise in an English template is still a promise): ASCII and full-width
exclamation marks, runs of question marks (？？, ?!), 哈哈/嘻嘻/ахах/лол and ")))" as
laughter, fix-time promises ("fixed in 10 minutes", "十分钟内修复", "马上恢复",
"исправим через 10 минут", "починим за час"), and words in Latin or Cyrillic capitals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import grapheme

from statuspage.comms.compose.lengths import has_emoji, is_emoji, urls

ACRONYMS = frozenset(
    """API APIS SMS DNS EU US UK USA SSO HTTP HTTPS TLS SSL CDN SLA VPN URL URLS AWS GCP CPU
    RAM SQL UTC GMT CET CEST EET EEST WET WEST EST EDT CST CDT MST MDT PST PDT AKST HST IST
    JST KST AEST AEDT NZST BST MSK SGT HKT AM PM IT ID OK FAQ MFA SAML SDK CLI UI EMEA APAC
    LATAM AMER LDAP IMAP SMTP POP REST JSON XML CSV PDF VAT USD EUR GBP IP ISP NTP BGP TCP
    UDP SSH SFTP FTP IAM KMS RDS MX SPF DKIM DMARC GDPR SOC PCI DSS ISO HIPAA ETA RSS IOS
    IPAD MAC PC OS VM VMS GPU SSD NFS CI CD QA PR RCA SRE NOC CEO CTO CISO SAAS LLM AI ML
    HQ SEV STOP START HELP YES
    СМС МСК ЦОД ИНН ООО ПАО ОАО ЗАО СБП ФНС ОФД ККТ РКН ЭДО ЕГАИС ГОСТ МВД ЦБ РФ ПО""".split()  # noqa: SIM905 - a word list reads better than 150 quoted strings
)  # STOP, START, HELP and YES are the SMS keywords: carriers ask for them in capitals
HUMOUR = (
    "lol", "lmao", "rofl", "haha", "hehe", "oops", "oopsie", "whoops", "yikes", "uh-oh",
    "uh oh", "jk", "just kidding", "fun fact", "whoopsie", "d'oh", "welp", "derp", "lulz",
    "our bad", "hiccup", "blip", "snafu", "glitchy", "gremlins", "hamsters",
    "ахах", "ахаха", "хаха", "хахаха", "хехе", "хех", "лол", "ржу", "упс", "ой", "шучу",
    "накосячили", "косяк", "сорян",
)  # fmt: skip
# Chinese has no spaces between words: these are found anywhere in the text.
HUMOUR_CJK = (
    "哈哈", "嘻嘻", "呵呵", "嘿嘿", "笑死", "233", "囧", "手滑", "小插曲", "么么哒", "嘤嘤",
)  # fmt: skip
_LAUGHING_BRACKETS = re.compile(r"\){2,}")  # "починили)))": a Russian smile
SMILEYS = re.compile(r"(?<!\S)(?:[:;][-^']?[)(DPpO3/\\|*]|xD|XD|<3|\^_\^|/s)(?!\S)")
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")
_TIME = r"""(?:
    \d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\b
  | \d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)? | \d{1,2}\s*[ap]\.?m\.?
  | noon | midnight | today | tonight | end\ of\ (?:the\ )?day
  | the\ (?:(?:next|coming)\ )?(?:hour|few\ (?:minutes|hours))
  | a\ few\ (?:minutes|hours) | an\ hour | half\ an\ hour
)"""
_FIX = r"""(?:
    fix(?:ed)? | resolv(?:e|ed) | restor(?:e|ed) | recover(?:ed)? | solved | mitigated
  | back\ (?:up|online|to\ normal) | up\ and\ running | working\ (?:again|normally)
  | (?:fully|normally)\ operational | operational\ again
)"""
_ABOUT = r"(?:about\s+|approximately\s+|roughly\s+|around\s+|~\s*)?"
_PROMISE_PATTERNS = (
    rf"\b{_FIX}\s+(?:with)?in\s+{_ABOUT}{_TIME}",  # fixed in 10 minutes
    rf"\b{_FIX}\s+(?:by|before|at|around|until)\s+{_ABOUT}{_TIME}",  # restored by 15:00
    rf"\b{_FIX}\s+(?:very\s+)?(?:shortly|soon|momentarily|any\ minute|in\ no\ time)\b",
    rf"\b(?:eta|time\ to\ (?:fix|resolution)|expected\ (?:fix|resolution|recovery))"
    rf"\b[^.\n]{{0,20}}?{_TIME}",  # ETA 15 minutes
    r"\b(?:fix|resolution|recovery)\s+(?:is\s+)?expected\s+(?:with)?in\s+",
)
_FIX_RU = r"""(?:
    исправ\w* | почин\w* | восстанов\w* | устран\w* | заработа\w* | решим | наладим | налад\w*
  | поднимем | вернём | вернем | всё\ будет\ работать | все\ будет\ работать
)"""
_TIME_RU = r"""(?:
    \d+\s*(?:сек\w* | мин\w* | час\w* | ч\b | дн\w* | д\b | сут\w*)
  | \d{1,2}[:.]\d{2} | час | часа | полчаса | пару\s+(?:минут|часов) | несколько\s+(?:минут|часов)
  | сегодня | вечер\w* | утр\w* | конца\s+дня | ближайш\w+\s+(?:время|час\w*|минут\w*)
)"""
_WITHIN_RU = r"(?:через|за|в\s+течение|до|к|не\s+позднее|в)\s+(?:~\s*|около\s+|примерно\s+)?"
_PROMISE_PATTERNS_RU = (
    rf"{_FIX_RU}[^.!?\n]{{0,30}}?{_WITHIN_RU}{_TIME_RU}",  # исправим через 10 минут
    rf"(?:через|за|в\s+течение|до|к)\s+{_TIME_RU}[^.!?\n]{{0,30}}?{_FIX_RU}",  # через час починим
    rf"(?:скоро|вот-вот|сейчас\s+же|немедленно|сразу)\s+(?:всё\s+|все\s+)?{_FIX_RU}",
)
_CJK_NUMBER = r"(?:\d+|[一二两三四五六七八九十百半几]+)"
_CJK_TIME = rf"{_CJK_NUMBER}\s*(?:个)?\s*(?:秒钟?|分钟|小时|钟头|天)"
_CJK_FIX = r"(?:修复|恢复|解决|修好|搞定|处理完|恢复正常)"
_PROMISE_PATTERNS_ZH = (
    rf"{_CJK_TIME}\s*(?:之内|以内|内|后|左右)[^。！？\n]{{0,6}}?{_CJK_FIX}",  # 十分钟内修复
    rf"(?:马上|立即|立刻|立马|很快|即将|稍后)\s*(?:就|会|将|可以|能)?\s*{_CJK_FIX}",  # 马上恢复
    rf"(?:今天|今晚|\d{{1,2}}[:：]\d{{2}})\s*(?:之前|以前|前)[^。！？\n]{{0,6}}?{_CJK_FIX}",
    rf"预计[^。！？\n]{{0,12}}?{_CJK_FIX}",  # 预计 30 分钟后恢复
)
PROMISES = tuple(
    re.compile(p, re.IGNORECASE | re.VERBOSE)
    for p in (*_PROMISE_PATTERNS, *_PROMISE_PATTERNS_RU, *_PROMISE_PATTERNS_ZH)
)
SHOUT_MIN = 3


@dataclass(frozen=True)
class ToneFinding:
    rule: str
    message: str
    excerpt: str = ""
    needle: str = ""  # the exact offending text, to find it in a template

    def __str__(self) -> str:
        return f"{self.message}: {self.excerpt!r}" if self.excerpt else self.message


def check_tone(
    text: str,
    *,
    needs_next_update: bool = False,
    next_update_text: str | None = None,
    acronyms: Iterable[str] = (),
) -> list[ToneFinding]:
    """Tone warnings for one message; `needs_next_update` for non-final SEV1/SEV2 messages."""
    plain = _without_urls(text)
    findings = [
        *_exclamations(plain),
        *_emoji(plain),
        *_shouting(plain, ACRONYMS | {a.upper() for a in acronyms}),
        *_humour(plain),
        *_promises(plain),
    ]
    if needs_next_update and not mentions_next_update(plain, next_update_text):
        findings.append(
            ToneFinding(
                "next-update",
                "no next-update time: say when the next update comes (e.g. 'Next update by "
                "14:30 CET')",
            )
        )
    return findings


def _without_urls(text: str) -> str:
    spans = urls(text)
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return re.sub(r"\S+@\S+\.\w+", " ", text)  # e-mail addresses


def _context(text: str, start: int, end: int, width: int = 25) -> str:
    return " ".join(text[max(0, start - width) : end + width].split())


def _exclamations(text: str) -> list[ToneFinding]:
    findings = []
    found = list(re.finditer(r"[!！]", text))
    if found:
        first = found[0]
        findings.append(
            ToneFinding(
                "exclamation",
                f"exclamation mark{'s' if len(found) > 1 else ''} ({len(found)}); "
                "state facts calmly",
                _context(text, first.start(), first.end()),
                first.group(0),
            )
        )
    runs = re.search(r"[?？][?？!！]+|[!！][?？]", text)
    if runs:
        findings.append(
            ToneFinding(
                "question-marks",
                "runs of question marks read as alarm; ask once, or state the facts",
                _context(text, runs.start(), runs.end()),
                runs.group(0),
            )
        )
    return findings


def _emoji(text: str) -> list[ToneFinding]:
    found = [c for c in grapheme.graphemes(text) if is_emoji(c)] if has_emoji(text) else []
    smileys = [m.group(0) for m in SMILEYS.finditer(text)]
    if not found and not smileys:
        return []
    shown = list(dict.fromkeys([*found, *smileys]))
    message = "emoji or smileys read as flippant in an outage"
    return [ToneFinding("emoji", message, " ".join(shown), shown[0])]


def _shouting(text: str, acronyms: frozenset[str]) -> list[ToneFinding]:
    loud = [
        w
        for w in _cased_words(text)
        if len(w) >= SHOUT_MIN and w.isupper() and w not in acronyms and w[:-1] not in acronyms
    ]
    if not loud:
        return []
    words = ", ".join(dict.fromkeys(loud))
    return [ToneFinding("shouting", "words in capitals read as shouting", words, loud[0])]


def _cased_words(text: str) -> list[str]:
    """Words of letters that have capitals (Latin, Cyrillic, Greek): "CET前再次更新" is "CET"."""
    words = []
    for word in _WORD.findall(text):
        words += [w for w in _UNCASED.split(word) if w]
    return words


_UNCASED = re.compile(r"[^A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+")


def _humour(text: str) -> list[ToneFinding]:
    lowered = text.lower()
    hits = [
        marker
        for marker in HUMOUR
        if re.search(rf"(?<![\w']){re.escape(marker)}(?![\w'])", lowered)
    ]
    hits += [marker for marker in HUMOUR_CJK if marker in text]
    brackets = _LAUGHING_BRACKETS.search(text)
    if brackets and text.count(")") > text.count("("):
        hits.append(brackets.group(0))
    if not hits:
        return []
    message = "humour or playing it down reads as not taking it seriously"
    return [ToneFinding("humour", message, ", ".join(hits), hits[0])]


def _promises(text: str) -> list[ToneFinding]:
    for pattern in PROMISES:
        match = pattern.search(text)
        if match:
            return [
                ToneFinding(
                    "promise",
                    "promises when the fix lands; promise the next update instead",
                    _context(text, match.start(), match.end(), 10),
                    match.group(0),
                )
            ]
    return []


_NEXT_UPDATE = re.compile(
    r"""\b(?:
        next\s+update | further\s+update | update\s+(?:you\s+|again\s+)?(?:by|at|within|in)
      | (?:post|send|share|provide)\s+(?:an(?:other)?\s+|the\s+next\s+|a\s+further\s+)?update
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_NEXT_UPDATE_TIME = re.compile(
    rf"{_NEXT_UPDATE.pattern}[^\n]{{0,40}}?{_TIME}", re.IGNORECASE | re.VERBOSE
)
_NEXT_UPDATE_OTHER = re.compile(
    r"""(?:下次更新|下一次更新|再次更新|继续更新)[^\n]{0,20}?\d{1,2}[:：]\d{2}
      | \d{1,2}[:：]\d{2}[^\n]{0,12}?(?:再次更新|发布下一次更新|更新)
      | (?:следующее\s+обновление|обновление\s+до|сообщим|обновим)[^\n]{0,40}?
        (?:\d{1,2}[:.]\d{2}|\d+\s*мин\w*|\d+\s*час\w*)""",
    re.IGNORECASE | re.VERBOSE,
)


def mentions_next_update(text: str, next_update_text: str | None) -> bool:
    """The message names the next update's time (or a phrase like 'next update in 30 min')."""
    if next_update_text and next_update_text in text:
        return True
    return bool(_NEXT_UPDATE_TIME.search(text) or _NEXT_UPDATE_OTHER.search(text))
