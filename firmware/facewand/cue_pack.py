# Cue patterns into the form the wand keeps them in (facewand.cues): bytes
# of UNITs. Used once while cues is imported, then dropped, and by the
# simulator for patterns of its own, so both pack with the same code.


def pack(patterns, unit):
    """Patterns (flat (on_ms, off_ms, level) triples) in `unit`s: VIBE,
    every triple of every pattern; VIBE_AT, where each pattern's triples
    start in it (pattern N's are VIBE[VIBE_AT[N] * 3:VIBE_AT[N + 1] * 3]);
    VIBE_MS, each pattern's whole length (its on and off times summed).
    A time or level that is not a byte of units is refused."""
    flat = []
    at = [0]
    ms = []
    for p in patterns:
        for v in p:
            if v % unit or not 0 <= v // unit <= 255:
                raise ValueError("a cue's time or level of %d: not a byte of %ds" % (v, unit))
            flat.append(v // unit)
        at.append(len(flat) // 3)
        ms.append(sum(p[j] + p[j + 1] for j in range(0, len(p), 3)) // unit)
    return bytes(flat), bytes(at), bytes(ms)
