"""A file's content as text: its encoding and line ends, or why it is not a text file."""

from __future__ import annotations

import codecs
import math
import re

from bernoulli.data.messages import DataError

MAX_BYTES: int = 200 * 1024 * 1024  # most bytes parse_samples accepts (the app's upload cap)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not in any text file
_CONTROL_BYTES = bytes(b for b in range(256) if _CONTROL.match(chr(b)))
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def decode(content: bytes | str, name: str) -> str:
    """The file's text with '\\n' line ends, or a DataError saying why it is not text."""
    if isinstance(content, str):
        text = content.removeprefix("\ufeff")
        size = len(content) if content.isascii() else len(content.encode("utf-8", "replace"))
        if size > MAX_BYTES:
            raise DataError(too_big(name, size))
        _check_text(text, name)
    else:
        content = bytes(content)
        if len(content) > MAX_BYTES:
            raise DataError(too_big(name, len(content)))
        text = _decode_bytes(content, name)
    if "\r" in text:  # Windows and old Mac line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_bytes(content: bytes, name: str) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM it starts with
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                text = content.decode(codec)
            except UnicodeDecodeError as e:
                raise DataError(
                    f"{name} is not valid {codec.upper()} text ({e.reason} at byte {e.start})"
                ) from None
            _check_text(text, name)
            return text
    content = content.removeprefix(codecs.BOM_UTF8)
    # Control bytes never occur inside UTF-8 multi-byte characters, so this is safe before
    # decoding; translate() runs at memory speed, the regex only on files that fail it.
    if content.translate(None, _TEXT_BYTES):
        offset = re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", content).start()
        raise DataError(_binary(name, content[offset], offset))
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{name} is not UTF-8 text (byte 0x{content[e.start]:02X} at offset {e.start}, "
            f"line {line}): save it as UTF-8"
        ) from None


def _check_text(text: str, name: str) -> None:
    bad = _CONTROL.search(text)
    if bad:
        raise DataError(_binary(name, ord(bad.group()), bad.start(), unit="character"))


def _binary(name: str, code: int, offset: int, unit: str = "byte") -> str:
    return f"{name} looks like a binary file, not text ({unit} 0x{code:02X} at offset {offset})"


def too_big(name: str, size: int) -> str:
    """The message for a file of `size` bytes, more than MAX_BYTES."""
    mb = 1024 * 1024
    size_mb = math.ceil(size / mb * 10) / 10  # rounded up: never shown as the limit itself
    return f"{name} is {size_mb:,.1f} MB, more than the {MAX_BYTES / mb:,.0f} MB limit"
