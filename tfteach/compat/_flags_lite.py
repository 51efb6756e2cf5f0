"""The command-line flags `tf.compat.v1.flags` serves when absl-py is not installed.

TensorFlow's flags *are* absl's (TF re-exports `absl.flags`); tfteach uses absl too whenever
it can be imported (compat/flags.py). This module is the stand-in for an install without it:
the part of absl's flags the TF1 tutorials use, parsing and failing as absl does (same
classes, same messages): DEFINE_string / integer / float / boolean (bool) / list /
spaceseplist / enum / multi_string / multi_integer / multi_float / alias / flag,
`FLAGS(argv, known_only=...)`, flag access before parsing, `mark_flag(s)_as_required`,
validators, `set_default` / `override_value` and the `--help` listing.
Anything else of absl.flags raises AttributeError naming absl-py as the fix.
"""
import csv
import inspect
import os
import sys
import textwrap


class Error(Exception):
    """Any flags error (absl.flags.Error)."""


class CantOpenFlagFileError(Error):
    pass


class DuplicateFlagError(Error):
    pass


class IllegalFlagValueError(Error):
    pass


class UnparsedFlagAccessError(Error):
    pass


class ValidationError(Error):
    pass


class FlagNameConflictsWithMethodError(Error):
    pass


class UnrecognizedFlagError(Error):
    def __init__(self, flagname, flagvalue="", suggestions=()):
        self.flagname = flagname
        self.flagvalue = flagvalue
        tip = f". Did you mean: {', '.join(suggestions)} ?" if suggestions else ""
        super().__init__(f"Unknown command line flag '{flagname}'{tip}")


# --- parsers: text on the command line -> value ------------------------------------------------

class ArgumentParser:
    syntactic_help = ""

    def parse(self, argument):
        if not isinstance(argument, str):
            raise TypeError(f"flag value must be a string, found \"{type(argument)}\"")
        return argument

    def flag_type(self):
        return "string"


class BooleanParser(ArgumentParser):
    def parse(self, argument):
        if isinstance(argument, str):
            low = argument.lower()
            if low in ("true", "t", "1"):
                return True
            if low in ("false", "f", "0"):
                return False
            raise ValueError("Non-boolean argument to boolean flag", argument)
        if isinstance(argument, int):
            if argument in (0, 1):
                return bool(argument)
            raise ValueError("Non-boolean argument to boolean flag", argument)
        raise TypeError("Non-boolean argument to boolean flag", argument)

    def flag_type(self):
        return "bool"


class _NumericParser(ArgumentParser):
    article, noun = "a", "number"

    def __init__(self, lower_bound=None, upper_bound=None):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound
        lo, hi, noun = lower_bound, upper_bound, self.noun
        if lo is not None and hi is not None:
            self.syntactic_help = f"{self.article} {noun} in the range [{lo}, {hi}]"
        elif lo == 1 and self.noun == "integer":
            self.syntactic_help = f"a positive {noun}"
        elif hi == -1 and self.noun == "integer":
            self.syntactic_help = f"a negative {noun}"
        elif lo == 0:
            self.syntactic_help = f"a non-negative {noun}"
        elif hi == 0:
            self.syntactic_help = f"a non-positive {noun}"
        elif hi is not None:
            self.syntactic_help = f"{noun} <= {hi}"
        elif lo is not None:
            self.syntactic_help = f"{noun} >= {lo}"
        else:
            self.syntactic_help = f"{self.article} {noun}"

    def parse(self, argument):
        val = self.convert(argument)
        if (self.lower_bound is not None and val < self.lower_bound) or \
                (self.upper_bound is not None and val > self.upper_bound):
            raise ValueError(f"{val} is not {self.syntactic_help}")
        return val


class IntegerParser(_NumericParser):
    article, noun = "an", "integer"

    def convert(self, argument):
        if isinstance(argument, int) and not isinstance(argument, bool):
            return argument
        if isinstance(argument, str):
            base = 10
            if len(argument) > 2 and argument[0] == "0" and argument[1] in "ox":
                base = 8 if argument[1] == "o" else 16
            return int(argument, base)
        raise TypeError(f"Expect argument to be a string or int, found {type(argument)}")

    def flag_type(self):
        return "int"


class FloatParser(_NumericParser):
    def convert(self, argument):
        if isinstance(argument, (int, float, str)) and not isinstance(argument, bool):
            return float(argument)
        raise TypeError(f"Expect argument to be a string, int, or float, found "
                        f"{type(argument)}")

    def flag_type(self):
        return "float"


class EnumParser(ArgumentParser):
    def __init__(self, enum_values, case_sensitive=True):
        if not enum_values:
            raise ValueError(f'enum_values cannot be empty, found "{enum_values}"')
        if isinstance(enum_values, str):
            raise ValueError(f'enum_values cannot be a str, found "{enum_values}"')
        self.enum_values = list(enum_values)
        self.case_sensitive = case_sensitive

    def parse(self, argument):
        if self.case_sensitive:
            if argument in self.enum_values:
                return argument
        else:
            for v in self.enum_values:
                if v.upper() == argument.upper():
                    return v
        raise ValueError(f"value should be one of <{'|'.join(self.enum_values)}>")

    def flag_type(self):
        return "string enum"


class ListParser(ArgumentParser):
    """Comma separated (csv quoting honoured), each item stripped."""
    syntactic_help = "a comma separated list"

    def parse(self, argument):
        if isinstance(argument, list):
            return argument
        if not argument:
            return []
        try:
            return [s.strip() for s in next(csv.reader([argument], strict=True))]
        except csv.Error as e:
            raise ValueError(f"Unable to parse the value {argument!r} as a "
                             f"{self.flag_type()}: {e}") from None

    def flag_type(self):
        return "comma separated list"


class WhitespaceSeparatedListParser(ArgumentParser):
    syntactic_help = "a whitespace separated list"

    def parse(self, argument):
        if isinstance(argument, list):
            return argument
        return argument.split() if argument else []

    def flag_type(self):
        return "whitespace separated list"


# --- flags ---------------------------------------------------------------------------------

class Flag:
    """One flag: its parser, default, current value and whether the command line set it."""

    def __init__(self, parser, name, default, help_string, short_name=None, boolean=False,
                 serialize=None):
        self.name, self.short_name, self.help = name, short_name, help_string or ""
        self.parser, self.boolean = parser, boolean
        self._serialize_default = serialize or _serialize
        self.present = 0
        self.using_default_value = True
        self.validators = []
        self._set_default(default)

    def _parse(self, argument):
        try:
            return self.parser.parse(argument)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError(f"flag --{self.name}={argument}: {e}") from None

    def _set_default(self, value):
        self.default_unparsed = value
        self.default = None if value is None else self._parse(value)
        self.default_as_str = None if value is None else \
            f"'{self._serialize_default(self.default)}'"
        if self.using_default_value:
            self.value = self.default

    def parse(self, argument):
        self.value = self._parse(argument)      # repeated: the last one counts
        self.present += 1

    def flag_type(self):
        return self.parser.flag_type()


class MultiFlag(Flag):
    """A flag that may repeat; its value is the list of every occurrence."""

    def _parse(self, argument):
        items = argument if isinstance(argument, list) else [argument]
        return [Flag._parse(self, a) for a in items]

    def parse(self, argument):
        new = self._parse(argument)
        self.value = (self.value if self.present else []) + new
        self.present += 1


def _serialize(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


class FlagHolder:
    """What DEFINE_* returns: the flag's value through `.value`, checked like FLAGS.x."""

    def __init__(self, flag_values, flag):
        self._flagvalues, self._name = flag_values, flag.name
        self.default = flag.default

    @property
    def name(self):
        return self._name

    @property
    def value(self):
        return getattr(self._flagvalues, self._name)

    @property
    def present(self):
        return bool(self._flagvalues[self._name].present)

    def __eq__(self, other):
        raise TypeError(f"unsupported operand type(s) for ==: '{type(self).__name__}' and "
                        f"'{type(other).__name__}' (did you mean to use "
                        f"'{type(self).__name__}.value' instead?)")

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError(f"bool() not supported for instances of type "
                        f"'{type(self).__name__}' (did you mean to use "
                        f"'{type(self).__name__}.value' instead?)")


_THIS_FILE = os.path.abspath(__file__)


def _calling_module():
    """The module that called into the flags package: its name, or the script's path for
    `__main__` (absl's naming in help and in DuplicateFlagError)."""
    here = {_THIS_FILE, os.path.abspath(os.path.join(os.path.dirname(__file__), "flags.py"))}
    for frame_info in inspect.stack()[1:]:
        if os.path.abspath(frame_info.filename) in here:
            continue
        name = frame_info.frame.f_globals.get("__name__")
        if name == "__main__":
            return sys.argv[0] if sys.argv and sys.argv[0] else name
        return name
    return "<unknown>"


class FlagValues:
    """A registry of flags (absl's FlagValues): `FLAGS.name` reads a flag's value once the
    command line was parsed, `FLAGS(argv)` parses it and returns what is left."""

    def __init__(self):
        d = self.__dict__
        d["_flags_by_name"] = {}
        d["_module_of"] = {}           # flag name -> name of the module that defined it
        d["_parsed"] = False
        d["_required"] = []

    def _flags(self):
        return self.__dict__["_flags_by_name"]

    def __contains__(self, name):
        return name in self._flags()

    def __iter__(self):
        return iter(self._flags())

    def __len__(self):
        return len(self._flags())

    def __getitem__(self, name):
        return self._flags()[name]

    def __setitem__(self, name, flag):
        fl = self._flags()
        if name in dir(FlagValues) and not name.startswith("_"):
            raise FlagNameConflictsWithMethodError(
                f'Cannot define a flag named "{name}". It conflicts with a method on class '
                f'"FlagValues".')
        if name in fl:
            first = self.__dict__["_module_of"].get(name, "<unknown>")
            raise DuplicateFlagError(
                f"The flag '{name}' is defined twice. First from {first}, second from "
                f"{_calling_module()}. Description from first occurrence: {fl[name].help}")
        fl[name] = flag
        if flag.short_name:
            fl[flag.short_name] = flag

    def __getattr__(self, name):
        flag = self._flags().get(name)
        if flag is None:
            raise AttributeError(name)
        if self.__dict__["_parsed"] or flag.present:
            return flag.value
        raise UnparsedFlagAccessError(f"Trying to access flag --{name} before flags were "
                                      f"parsed.")

    def __setattr__(self, name, value):
        flag = self._flags().get(name)
        if flag is None:
            raise UnrecognizedFlagError(name, value)
        flag.value = value
        flag.using_default_value = False
        self._validate(flag)
        return value

    def __delattr__(self, name):
        fl = self._flags()
        if name not in fl:
            raise AttributeError(name)
        flag = fl.pop(name)
        if flag.short_name and fl.get(flag.short_name) is flag:
            del fl[flag.short_name]
        if fl.get(flag.name) is flag:
            del fl[flag.name]

    def __dir__(self):
        return sorted(self._flags())

    def is_parsed(self):
        return self.__dict__["_parsed"]

    def mark_as_parsed(self):
        self.__dict__["_parsed"] = True

    def unparse_flags(self):
        for f in set(self._flags().values()):
            f.value, f.present, f.using_default_value = f.default, 0, True
        self.__dict__["_parsed"] = False

    def flag_values_dict(self):
        return {name: flag.value for name, flag in self._flags().items()}

    def get_flag_value(self, name, default):
        flag = self._flags().get(name)
        return default if flag is None or flag.value is None else flag.value

    def set_default(self, name, value):
        flag = self._flags().get(name)
        if flag is None:
            raise UnrecognizedFlagError(name, value)
        flag._set_default(value)
        self._validate(flag)

    def find_module_defining_flag(self, flagname, default=None):
        return self.__dict__["_module_of"].get(flagname, default)

    def register_flag_by_module(self, module_name, flag):
        self.__dict__["_module_of"][flag.name] = module_name

    # --- parsing ---------------------------------------------------------------------------
    def __call__(self, argv, known_only=False):
        if isinstance(argv, (str, bytes)):
            raise TypeError("argv should be a tuple/list of strings, not bytes or string.")
        if not argv:
            raise ValueError("argv cannot be an empty list, and must contain the program "
                             "name as the first element.")
        unknown, rest = self._parse_args(list(argv[1:]), known_only)
        for name, _ in unknown:
            raise UnrecognizedFlagError(name, "", suggestions=_suggestions(name, list(self)))
        self.mark_as_parsed()
        self._validate_all()
        return [argv[0]] + rest

    def _parse_args(self, args, known_only):
        fl = self._flags()
        unparsed = []              # (flag name or None, text)
        it = iter(args)
        for arg in it:
            if not arg.startswith("-"):
                unparsed.append((None, arg))
                continue
            if arg == "--":
                if known_only:
                    unparsed.append((None, arg))
                break
            body = arg[2:] if arg.startswith("--") else arg[1:]
            name, eq, value = body.partition("=")
            value = value if eq else None
            if not name:
                unparsed.append((None, arg))
                continue
            flag = fl.get(name)
            if flag is not None:
                if flag.boolean and value is None:
                    value = "true"
                elif value is None:
                    try:
                        value = next(it)
                    except StopIteration:
                        raise Error(f"Missing value for flag {arg}") from None
            elif name.startswith("no") and len(name) > 2:
                noflag = fl.get(name[2:])
                if noflag is not None and noflag.boolean:
                    if value is not None:
                        raise ValueError(f"{arg} does not take an argument")
                    flag, value = noflag, "false"
            if flag is not None:
                flag.parse(value)
                flag.using_default_value = False
            else:
                unparsed.append((name, arg))
        unknown, rest = [], []
        for name, arg in unparsed:
            if name is None or known_only:
                rest.append(arg)
            else:
                unknown.append((name, arg))
        rest.extend(it)
        return unknown, rest

    def _validate(self, flag):
        for check, message in flag.validators:
            try:
                ok = check(flag.value)
            except ValidationError as e:
                ok, message = False, str(e)
            if not ok:
                raise IllegalFlagValueError(f"flag --{flag.name}={flag.value}: {message}")

    def _validate_all(self):
        for flag in sorted(set(self._flags().values()), key=lambda f: f.name):
            self._validate(flag)

    # --- help --------------------------------------------------------------------------------
    def module_help(self, module_name):
        """The `--help` listing of one module's flags, as absl lays it out."""
        lines = [f"\n{module_name}:"]
        mine = sorted({f.name: f for n, f in self._flags().items()
                       if self.__dict__["_module_of"].get(f.name) == module_name}.items())
        for _, flag in mine:
            lines.append(_flag_help(flag))
        return "\n".join(lines) if mine else ""

    def main_module_help(self):
        main = sys.argv[0] if sys.argv and sys.argv[0] else "__main__"
        return self.module_help(main)


def _flag_help(flag):
    name = f"[no]{flag.name}" if flag.boolean else flag.name
    head = f"--{name}: "
    if isinstance(flag.parser, EnumParser):
        head += f"<{'|'.join(flag.parser.enum_values)}>: "
    text = head + (flag.help or "")
    out = textwrap.fill(text, 80, initial_indent="  ", subsequent_indent="    ")
    if flag.short_name:
        out += f"\n    (-{flag.short_name})"
    out += f"\n    (default: {flag.default_as_str if flag.default is not None else 'None'})"
    if flag.parser.syntactic_help:
        out += f"\n    ({flag.parser.syntactic_help})"
    return out


def _suggestions(attempt, names):
    """Flags whose first len(attempt) letters are fewest edits away (fewer than half the
    attempt's length), as absl proposes them."""
    if len(attempt) <= 2 or not names:
        return []
    scored = sorted((_edits(attempt, n[:len(attempt)]), n) for n in names)
    best = scored[0][0]
    if best >= 0.5 * len(attempt):
        return []
    return [n for d, n in scored if d == best]


def _edits(a, b):
    """Edit distance counting a swap of neighbours as one edit."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


FLAGS = FlagValues()


# --- DEFINE_* ------------------------------------------------------------------------------

def DEFINE_flag(flag, flag_values=FLAGS, module_name=None, required=False):
    flag_values[flag.name] = flag
    flag_values.register_flag_by_module(module_name or _calling_module(), flag)
    if required:
        mark_flag_as_required(flag.name, flag_values)
    return FlagHolder(flag_values, flag)


def DEFINE(parser, name, default, help, flag_values=FLAGS, serializer=None,  # noqa: A002
           module_name=None, required=False, **args):
    boolean = isinstance(parser, BooleanParser)
    return DEFINE_flag(Flag(parser, name, default, help, boolean=boolean, **args),
                       flag_values, module_name, required)


def DEFINE_string(name, default, help, flag_values=FLAGS, required=False,  # noqa: A002
                  **args):
    return DEFINE(ArgumentParser(), name, default, help, flag_values, required=required,
                  module_name=_calling_module(), **args)


def DEFINE_boolean(name, default, help, flag_values=FLAGS, module_name=None,  # noqa: A002
                   required=False, **args):
    return DEFINE(BooleanParser(), name, default, help, flag_values,
                  module_name=module_name or _calling_module(), required=required, **args)


DEFINE_bool = DEFINE_boolean


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: A002
                   flag_values=FLAGS, required=False, **args):
    holder = DEFINE(IntegerParser(lower_bound, upper_bound), name, default, help,
                    flag_values, module_name=_calling_module(), required=required, **args)
    _register_bounds(flag_values[name])
    return holder


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: A002
                 flag_values=FLAGS, required=False, **args):
    holder = DEFINE(FloatParser(lower_bound, upper_bound), name, default, help,
                    flag_values, module_name=_calling_module(), required=required, **args)
    _register_bounds(flag_values[name])
    return holder


def _register_bounds(flag):
    """A value set by assignment (FLAGS.x = v) is checked against the bounds too."""
    p = flag.parser

    def within(v):
        if v is not None and ((p.lower_bound is not None and v < p.lower_bound) or
                              (p.upper_bound is not None and v > p.upper_bound)):
            raise ValidationError(f"{v} is not {p.syntactic_help}")
        return True
    if p.lower_bound is not None or p.upper_bound is not None:
        flag.validators.append((within, "Flag validation failed"))


def DEFINE_enum(name, default, enum_values, help, flag_values=FLAGS,  # noqa: A002
                module_name=None, required=False, case_sensitive=True, **args):
    return DEFINE(EnumParser(enum_values, case_sensitive), name, default, help, flag_values,
                  module_name=module_name or _calling_module(), required=required, **args)


def DEFINE_list(name, default, help, flag_values=FLAGS, required=False,  # noqa: A002
                **args):
    return DEFINE(ListParser(), name, default, help, flag_values,
                  module_name=_calling_module(), required=required, **args)


def DEFINE_spaceseplist(name, default, help, comma_compat=False,  # noqa: A002
                        flag_values=FLAGS, required=False, **args):
    if comma_compat:
        raise ValueError("comma_compat needs absl-py's flags (pip install absl-py)")
    return DEFINE(WhitespaceSeparatedListParser(), name, default, help, flag_values,
                  module_name=_calling_module(), required=required, **args)


def _define_multi(parser, name, default, help, flag_values, required, args):  # noqa: A002
    flag = MultiFlag(parser, name, default, help, **args)
    return DEFINE_flag(flag, flag_values, _calling_module(), required)


def DEFINE_multi_string(name, default, help, flag_values=FLAGS, required=False,  # noqa: A002
                        **args):
    return _define_multi(ArgumentParser(), name, default, help, flag_values, required, args)


def DEFINE_multi_integer(name, default, help, lower_bound=None,  # noqa: A002
                         upper_bound=None, flag_values=FLAGS, required=False, **args):
    return _define_multi(IntegerParser(lower_bound, upper_bound), name, default, help,
                         flag_values, required, args)


def DEFINE_multi_float(name, default, help, lower_bound=None,  # noqa: A002
                       upper_bound=None, flag_values=FLAGS, required=False, **args):
    return _define_multi(FloatParser(lower_bound, upper_bound), name, default, help,
                         flag_values, required, args)


def DEFINE_alias(name, original_name, flag_values=FLAGS, module_name=None):
    if original_name not in flag_values:
        raise UnrecognizedFlagError(original_name)
    flag_values[name] = flag_values[original_name]
    return FlagHolder(flag_values, flag_values[original_name])


# --- validators ----------------------------------------------------------------------------

def register_validator(flag_name, checker, message="Flag validation failed",
                       flag_values=FLAGS):
    if flag_name not in flag_values:
        raise KeyError(flag_name)
    flag_values[flag_name].validators.append((checker, message))


def validator(flag_name, message="Flag validation failed", flag_values=FLAGS):
    def decorate(function):
        register_validator(flag_name, function, message, flag_values)
        return function
    return decorate


def mark_flag_as_required(flag_name, flag_values=FLAGS):
    if flag_name not in flag_values:
        raise KeyError(flag_name)
    flag = flag_values[flag_name]
    if flag.default is not None:
        import warnings
        warnings.warn(f"Flag --{flag_name} has a non-None default value; therefore, "
                      f"mark_flag_as_required will pass even if flag is not specified in "
                      f"the command line!", stacklevel=2)
    flag.validators.append((lambda v: v is not None,
                            f"Flag --{flag_name} must have a value other than None."))


def mark_flags_as_required(flag_names, flag_values=FLAGS):
    for name in flag_names:
        mark_flag_as_required(name, flag_values)


def disclaim_key_flags():
    """absl's way for a module that defines flags on behalf of its callers (TF's DEFINE_*
    wrappers) to stay out of their records; the subset already skips compat/flags.py when
    it looks for the defining module, so there is nothing more to do."""


def override_value(flag_holder, value):
    setattr(flag_holder._flagvalues, flag_holder.name, value)


def set_default(flag_holder, value):
    flag_holder._flagvalues.set_default(flag_holder.name, value)


def _text_wrap(text, indent):
    """A module docstring laid out for the --help text (each paragraph filled to 80)."""
    out = []
    for para in text.splitlines():
        out.append(textwrap.fill(para.strip(), 80, initial_indent=indent if out else "",
                                 subsequent_indent=indent) if para.strip() else "")
    return "\n".join(out)
