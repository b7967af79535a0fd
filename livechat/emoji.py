"""Emoji: the shortcode table (the picker and `:shortcode:` rendering use it) and the
check that a reaction is one emoji."""

from __future__ import annotations

# Shortcode (without colons) -> emoji. Curated, GitHub/Slack names; values are the
# fully-qualified sequences (with U+FE0F where the base character defaults to text style).
# The emoji picker is built from this table, so keep it to emoji people actually use.
EMOJI_SHORTCODES: dict[str, str] = {
    # Faces
    "smile": "😄", "smiley": "😃", "grin": "😁", "grinning": "😀", "joy": "😂", "rofl": "🤣",
    "laughing": "😆", "sweat_smile": "😅", "wink": "😉", "blush": "😊", "innocent": "😇",
    "slightly_smiling_face": "🙂", "upside_down_face": "🙃", "relieved": "😌",
    "heart_eyes": "😍", "star_struck": "🤩", "kissing_heart": "😘", "yum": "😋",
    "stuck_out_tongue": "😛", "hugs": "🤗", "thinking": "🤔", "neutral_face": "😐",
    "smirk": "😏", "unamused": "😒", "roll_eyes": "🙄", "grimacing": "😬", "pensive": "😔",
    "sleeping": "😴", "mask": "😷", "nerd_face": "🤓", "sunglasses": "😎", "confused": "😕",
    "worried": "😟", "slightly_frowning_face": "🙁", "open_mouth": "😮", "flushed": "😳",
    "pleading_face": "🥺", "cry": "😢", "sob": "😭", "scream": "😱", "disappointed": "😞",
    "sweat": "😓", "rage": "😡", "skull": "💀", "hankey": "💩", "poop": "💩", "ghost": "👻",
    "robot": "🤖", "see_no_evil": "🙈", "exploding_head": "🤯", "partying_face": "🥳",
    # People and hands
    "wave": "👋", "ok_hand": "👌", "thumbsup": "👍", "+1": "👍", "thumbsdown": "👎", "-1": "👎",
    "clap": "👏", "raised_hands": "🙌", "pray": "🙏", "handshake": "🤝", "muscle": "💪",
    "point_up": "☝️", "point_down": "👇", "point_left": "👈", "point_right": "👉", "v": "✌️",
    "crossed_fingers": "🤞", "fist": "✊", "raised_hand": "✋", "writing_hand": "✍️",
    "eyes": "👀", "shrug": "🤷", "facepalm": "🤦", "raising_hand": "🙋", "bow": "🙇",
    "technologist": "🧑‍💻", "woman_technologist": "👩‍💻", "man_technologist": "👨‍💻",
    # Hearts
    "heart": "❤️", "orange_heart": "🧡", "yellow_heart": "💛", "green_heart": "💚",
    "blue_heart": "💙", "purple_heart": "💜", "broken_heart": "💔",
    # Symbols and signs
    "check": "✅", "white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌",
    "warning": "⚠️", "question": "❓", "exclamation": "❗", "bangbang": "‼️",
    "no_entry": "⛔", "no_entry_sign": "🚫", "100": "💯", "heavy_plus_sign": "➕",
    "heavy_minus_sign": "➖", "arrow_right": "➡️", "arrow_left": "⬅️", "arrow_up": "⬆️",
    "arrow_down": "⬇️", "arrows_counterclockwise": "🔄", "recycle": "♻️",
    "information_source": "ℹ️", "new": "🆕", "ok": "🆗", "cool": "🆒", "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳", "alarm_clock": "⏰", "star": "⭐", "sparkles": "✨",
    "zap": "⚡", "fire": "🔥", "boom": "💥", "rainbow": "🌈", "sunny": "☀️",
    "snowflake": "❄️",
    # Objects (editing and the wiki)
    "bulb": "💡", "book": "📖", "open_book": "📖", "books": "📚", "memo": "📝",
    "pencil2": "✏️", "scroll": "📜", "page_facing_up": "📄", "bookmark": "🔖", "link": "🔗",
    "paperclip": "📎", "pushpin": "📌", "mag": "🔍", "lock": "🔒", "unlock": "🔓", "key": "🔑",
    "hammer": "🔨", "wrench": "🔧", "gear": "⚙️", "hammer_and_wrench": "🛠️",
    "computer": "💻", "email": "📧", "envelope": "✉️", "package": "📦", "clipboard": "📋",
    "calendar": "📆", "date": "📅", "bar_chart": "📊", "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉", "globe_with_meridians": "🌐", "earth_africa": "🌍",
    "mortar_board": "🎓", "speech_balloon": "💬", "thought_balloon": "💭", "mega": "📣",
    "bell": "🔔", "shield": "🛡️", "balance_scale": "⚖️", "jigsaw": "🧩",
    "construction": "🚧", "checkered_flag": "🏁", "triangular_flag_on_post": "🚩",
    "white_flag": "🏳️", "rainbow_flag": "🏳️‍🌈",
    # Celebration and everything else
    "tada": "🎉", "trophy": "🏆", "gift": "🎁", "rocket": "🚀", "bug": "🐛", "coffee": "☕",
    "cake": "🍰", "cat": "🐱", "dog": "🐶", "unicorn": "🦄", "four_leaf_clover": "🍀",
}  # fmt: skip

_VS16 = "\ufe0f"
_ZWJ = "\u200d"
# A reaction "❤" and a reaction "❤️" must count as the same reaction: an emoji from the table,
# with or without its variation selector, normalizes to the table's form.
_CANONICAL_EMOJI: dict[str, str] = {v.replace(_VS16, ""): v for v in EMOJI_SHORTCODES.values()}
# The longest RGI sequences (a kiss with two skin tones) are 10 code points; the DB column
# holds 32 characters.
_MAX_EMOJI_CHARS = 32
_MAX_ZWJ_ELEMENTS = 8

# Approximation of Unicode's Extended_Pictographic property (the stdlib has no emoji data,
# and a reaction only needs "is this plausibly one emoji", not the exact RGI list).
_PICTOGRAPHIC_RANGES: tuple[tuple[int, int], ...] = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA),
    (0x231A, 0x231B), (0x2328, 0x2328), (0x23CF, 0x23CF), (0x23E9, 0x23F3),
    (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6),
    (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x27BF), (0x2934, 0x2935),
    (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F1E5), (0x1F200, 0x1F3FA), (0x1F400, 0x1FAFF),
)  # fmt: skip


def _is_pictographic(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _PICTOGRAPHIC_RANGES)


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _is_skin_tone(ch: str) -> bool:
    return 0x1F3FB <= ord(ch) <= 0x1F3FF


def _is_emoji_element(element: str) -> bool:
    """One element of a ZWJ sequence: a pictograph, optionally with VS16 or a skin tone."""
    if not element or not _is_pictographic(ord(element[0])):
        return False
    rest = element[1:]
    return rest in ("", _VS16) or (len(rest) == 1 and _is_skin_tone(rest))


def _is_single_emoji(value: str) -> bool:
    """True if `value` is exactly one emoji: a flag, keycap, tag sequence or ZWJ sequence."""
    if len(value) == 2 and all(_is_regional_indicator(ch) for ch in value):
        return True  # a country flag: two regional indicators
    if value[0] in "0123456789#*" and value[1:] in ("\u20e3", _VS16 + "\u20e3"):
        return True  # a keycap
    if (
        value[0] == "\U0001f3f4"
        and len(value) > 2
        and value[-1] == "\U000e007f"
        and all(0xE0020 <= ord(ch) <= 0xE007E for ch in value[1:-1])
    ):
        return True  # a subdivision flag (England, Scotland, Wales)
    elements = value.split(_ZWJ)
    return len(elements) <= _MAX_ZWJ_ELEMENTS and all(_is_emoji_element(e) for e in elements)


def normalize_emoji(value: str) -> str | None:
    """A reaction's emoji: ':shortcode:' or one unicode emoji -> the emoji; else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > _MAX_EMOJI_CHARS:
        return None
    if len(value) > 2 and value[0] == ":" and value[-1] == ":":
        return EMOJI_SHORTCODES.get(value[1:-1])
    if not _is_single_emoji(value):
        return None
    return _CANONICAL_EMOJI.get(value.replace(_VS16, ""), value)
