"""Well-formed fake GitHub tokens for tests: the one place tests make tokens.

Every shape is read from the package's policy (``jupyterlab_github_token.policy``):
the prefix of each kind, the fixed-length body and its checksum length, the two
parts of a fine-grained token, the legacy 40-hex form. The checksum is GitHub's:
the last characters of a fixed-length body are base62(CRC32(the rest)).

Token characters come from a seed through a SHA-256 counter stream, so the same seed
always gives the same token on every Python version. Two streams exist because the
fixtures generated with them are pinned: ``FIXTURE_TOKENS`` made
``test/fake_github/tokens.json`` (whose values the unit tests quote) and
``CORPUS_TOKENS`` made ``test/corpus/hostile-strings.json``; changing either
stream would change those files.

Standard library only, plus the package's policy reader (stdlib only itself).
"""

from __future__ import annotations

import hashlib
import re
import sys
import zlib
from pathlib import Path

# The source tree's policy, not an installed (possibly older) copy; the fake API
# also runs as a plain script under the system python3.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from jupyterlab_github_token.policy import TOKEN_POLICY, whole_match  # noqa: E402 (needs the path above)

PREFIX_OF: dict[str, str] = {entry["kind"]: entry["prefix"] for entry in TOKEN_POLICY["prefixes"]}
_FIXED = TOKEN_POLICY["fixedLength"]
FIXED_LENGTH_KINDS: tuple[str, ...] = tuple(_FIXED["kinds"])
BODY_LENGTH: int = _FIXED["bodyLength"]
CHECKSUM_LENGTH: int = _FIXED["checksumLength"]
#: GitHub's base62 digits, in value order.
BASE62_DIGITS: str = _FIXED["checksumAlphabet"]
FINE_GRAINED_PREFIX: str = TOKEN_POLICY["fineGrained"]["prefix"]
FINE_GRAINED_PARTS: tuple[int, int] = (
    TOKEN_POLICY["fineGrained"]["firstPart"],
    TOKEN_POLICY["fineGrained"]["secondPart"],
)

#: Any run of token characters that starts with a known prefix (for redacting logs).
TOKEN_PATTERN = re.compile(
    "(?:" + "|".join(re.escape(p) for p in sorted(PREFIX_OF.values(), key=len, reverse=True)) + ")"
    f"{TOKEN_POLICY['charset']}+"
)
_BODY = whole_match(f"{TOKEN_POLICY['bodyCharset']}{{{BODY_LENGTH}}}")


def expand_class(char_class: str) -> str:
    """The characters of a policy character class such as ``[A-Za-z0-9]``, in the order
    it lists them."""
    m = re.fullmatch(r"\[([^\]\\]+)\]", char_class)
    if not m:
        raise ValueError(f"not a plain character class: {char_class!r}")
    spec, chars, k = m.group(1), "", 0
    while k < len(spec):
        if k + 2 < len(spec) and spec[k + 1] == "-":
            chars += "".join(chr(c) for c in range(ord(spec[k]), ord(spec[k + 2]) + 1))
            k += 3
        else:
            chars += spec[k]
            k += 1
    return chars


def class_and_count(pattern: str) -> tuple[str, int]:
    """The characters and length of a policy pattern ``[...]{n}`` (the legacy token,
    the widget model id)."""
    m = re.fullmatch(r"(\[[^\]]+\])\{(\d+)\}", pattern)
    if not m:
        raise ValueError(f"not a [class]{{count}} pattern: {pattern!r}")
    return expand_class(m.group(1)), int(m.group(2))


def base62(number: int, width: int = CHECKSUM_LENGTH) -> str:
    """``number`` (>= 0) in base62 (0-9A-Za-z), left-padded with '0' to ``width``."""
    if number < 0:
        raise ValueError("number must be >= 0")
    digits = ""
    while number:
        number, rem = divmod(number, 62)
        digits = BASE62_DIGITS[rem] + digits
    return digits.rjust(width, "0")


def checksum(payload: str) -> str:
    """The checksum GitHub appends to ``payload``: base62(CRC32)."""
    return base62(zlib.crc32(payload.encode("utf-8")) & 0xFFFFFFFF)


def kind_of(token: str) -> str | None:
    """The kind whose prefix ``token`` starts with (longest prefix first), or None."""
    for prefix, kind in sorted(((p, k) for k, p in PREFIX_OF.items()), key=lambda e: -len(e[0])):
        if token.startswith(prefix):
            return kind
    return None


def checksum_ok(token: str) -> bool:
    """Whether ``token`` is a fixed-length token whose checksum is right."""
    kind = kind_of(token)
    if kind not in FIXED_LENGTH_KINDS:
        return False
    body = token[len(PREFIX_OF[kind]) :]
    return bool(_BODY.fullmatch(body)) and checksum(body[:-CHECKSUM_LENGTH]) == body[-CHECKSUM_LENGTH:]


class TokenFactory:
    """Tokens derived from seeds by one SHA-256 counter stream.

    ``alphabet``: the characters of random parts; ``separator``: between seed and
    counter; ``unbiased``: rejection sampling (else byte modulo length, slightly biased).
    """

    def __init__(self, alphabet: str, separator: str, unbiased: bool) -> None:
        self.alphabet = alphabet
        self.separator = separator
        self.unbiased = unbiased

    def chars(self, seed: str, count: int, alphabet: str | None = None) -> str:
        """``count`` characters of ``alphabet`` (default: the factory's) derived only from ``seed``."""
        letters = alphabet or self.alphabet
        limit = 256 - (256 % len(letters)) if self.unbiased else 256
        out: list[str] = []
        counter = 0
        while len(out) < count:
            block = hashlib.sha256(f"{seed}{self.separator}{counter}".encode()).digest()
            counter += 1
            out.extend(letters[byte % len(letters)] for byte in block if byte < limit)
        return "".join(out[:count])

    def fixed_length(self, seed: str, kind: str = "classic") -> str:
        """A token of a fixed-length kind (classic ``ghp_`` by default) with a valid checksum."""
        if kind not in FIXED_LENGTH_KINDS:
            raise ValueError(f"{kind} tokens have no fixed length")
        random_part = self.chars(seed, BODY_LENGTH - CHECKSUM_LENGTH)
        return PREFIX_OF[kind] + random_part + checksum(random_part)

    def fine_grained(self, first_seed: str, second_seed: str) -> str:
        """``github_pat_`` + first part + ``_`` + second part.

        GitHub's checksum rule is unverified for fine-grained tokens; these end in the
        checksum of everything after the prefix, so an advisory classic-rule check passes."""
        first_length, second_length = FINE_GRAINED_PARTS
        payload = self.chars(first_seed, first_length) + "_" + self.chars(second_seed, second_length - CHECKSUM_LENGTH)
        return FINE_GRAINED_PREFIX + payload + checksum(payload)

    def legacy(self, seed: str) -> str:
        """An old 40-hex token (the policy's legacy pattern)."""
        alphabet, count = class_and_count(TOKEN_POLICY["legacy"])
        return self.chars(seed, count, alphabet)


#: The stream of tokens.json (and of test_save_guard's glued token).
FIXTURE_TOKENS = TokenFactory(expand_class(TOKEN_POLICY["bodyCharset"]), ":", unbiased=True)
#: The stream of the hostile corpus.
CORPUS_TOKENS = TokenFactory(BASE62_DIGITS, "/", unbiased=False)
