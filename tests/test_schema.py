# The data-file checker's pieces that are written for the wand's sake.
from hypothesis import given, strategies as st

from facewand.schema import is_line, printable

EDGES = "\x00\x1f \x7e\x7f\x80\x9f\xa0\u2027\u2028\u2029\u202a\ud7ff\ud800\udfff\ue000\U0001f600"


@given(st.text(alphabet=st.sampled_from(EDGES) | st.characters(), max_size=12))
def test_is_line_is_every_character_printable(s):
    # is_line reads UTF-8 bytes (no character strings, which MicroPython
    # would intern); it must agree with printable() character by character.
    assert is_line(s) == all(printable(c) for c in s)


def test_is_line_on_the_edges():
    assert is_line("Jaw line: up, 3x; ok ~ \u00e9\u20ac\U0001f600")
    for bad in ("\n", "\x7f", "\x85", "\u2028", "\u2029", "\ud800", "a\udfffb"):
        assert not is_line("ok" + bad), repr(bad)
