# What every command line here shares (python -m sim, python -m sim wand,
# python -m host_tools): a bad command line is one line on stderr and exit
# status 2, as any other bad input is, and --board is given the same way.
import argparse
import functools
import sys

BOARD_HELP = "a board in boards/ (NAME.json), or a path to a board .json file"


class Parser(argparse.ArgumentParser):
    """argparse, but an error is `VOICE: message` on one line (tidy makes
    it one: host_tools passes its one_line), exit status 2, no usage dump.
    Subcommands, and theirs, speak with the same voice."""

    def __init__(self, *args, voice, tidy=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.voice = voice
        self.tidy = tidy

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", functools.partial(Parser, voice=self.voice, tidy=self.tidy))
        return super().add_subparsers(**kwargs)

    def error(self, message):
        sys.stderr.write("%s: %s\n" % (self.voice, self.tidy(message)))
        raise SystemExit(2)


def add_board(parser, required=False, help=BOARD_HELP):
    """--board NAME: resolved by sim.paths.board_path (a name in boards/ or a
    path), pico unless required."""
    if required:
        parser.add_argument("--board", required=True, metavar="NAME", help=help)
    else:
        parser.add_argument("--board", default="pico", metavar="NAME", help=help + " (default pico)")
