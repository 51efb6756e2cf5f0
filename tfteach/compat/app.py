"""`tf.compat.v1.app`: `run(main=None, argv=None)` and `flags`.

As in TF, `run` parses the command line into `flags.FLAGS` tolerating flags nobody defined
(they stay in the argv handed to `main`), then exits with `main(argv)`'s return value. A bad
flag value is not caught: its exception (IllegalFlagValueError ...) ends the program, as
with TF. With absl-py installed this is absl's `app.run`, otherwise tfteach's own loop with
the same steps (compat/_flags_lite.py), `--help`/`--helpshort`/`--helpfull` included.
"""
import sys as _sys

from . import flags


def _parse_flags_tolerate_undef(argv):
    return flags.FLAGS(_sys.argv if argv is None else argv, known_only=True)


def run(main=None, argv=None):
    """Parses flags, then `sys.exit(main(argv))`; main defaults to `__main__.main`."""
    main = main or _sys.modules["__main__"].main
    if flags.USING_ABSL:
        from absl.app import run as _absl_run
        _absl_run(main=main, argv=argv, flags_parser=_parse_flags_tolerate_undef)
        return
    _define_help_flags()
    args = _parse_flags_tolerate_undef(argv)
    _sys.exit(main(args))


def _usage(full):
    from . import _flags_lite as lite
    doc = getattr(_sys.modules["__main__"], "__doc__", None)
    program = _sys.argv[0] if _sys.argv and _sys.argv[0] else "__main__"
    out = [lite._text_wrap(doc, "       ") if doc else
           f"\n       USAGE: {program} [flags]", "\nflags:\n"]
    fv = flags.FLAGS.__dict__["_wrapped"]
    if full:
        modules = sorted({m for m in fv.__dict__["_module_of"].values() if m != __name__})
        out.append("".join(fv.module_help(m) for m in modules))
    else:
        out.append(fv.main_module_help())
        out.append("\n\nTry --helpfull to get a list of all flags.")
    _sys.stdout.write("".join(out) + "\n")


def _define_help_flags():
    """`--help` (`-?`), `--helpshort`, `--helpfull`: print the flags and exit with status
    1, as absl's help flags do."""
    from . import _flags_lite as lite
    fv = flags.FLAGS.__dict__["_wrapped"]
    if "help" in fv:
        return

    class HelpFlag(lite.Flag):
        def __init__(self, name, full, short_name=None):
            super().__init__(lite.BooleanParser(), name, False, "show this help",
                             short_name, boolean=True)
            self.full = full

        def parse(self, argument):
            if lite.BooleanParser().parse(argument):
                _usage(self.full)
                _sys.exit(1)

    for flag in (HelpFlag("help", False, "?"), HelpFlag("helpshort", False),
                 HelpFlag("helpfull", True)):
        lite.DEFINE_flag(flag, fv, module_name=__name__)
