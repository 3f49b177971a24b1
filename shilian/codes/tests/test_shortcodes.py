import random

from shilian.codes import shortcodes


def test_new_codes_are_valid_unique_and_use_the_alphabet():
    codes = {shortcodes.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == shortcodes.CODE_LENGTH
        assert set(code) <= set(shortcodes.ALPHABET)
        assert shortcodes.is_valid(code)
    assert not set(shortcodes.ALPHABET) & set("ILOU")


def test_every_single_substitution_is_caught_and_nearly_every_transposition():
    rng = random.Random(7)
    swaps = caught = 0
    for _ in range(300):
        body = "".join(rng.choice(shortcodes.ALPHABET) for _ in range(shortcodes.BODY_LENGTH))
        code = body + shortcodes.check_character(body)
        for i in range(len(code)):
            for ch in shortcodes.ALPHABET:
                if ch != code[i]:
                    assert not shortcodes.is_valid(code[:i] + ch + code[i + 1 :])
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swaps += 1
                caught += not shortcodes.is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
    assert caught / swaps > 0.99


def test_reading_rules():
    assert shortcodes.normalise(" abcd-efgh-jko ") == "ABCDEFGHJK0"
    assert shortcodes.normalise("il") == "11"
