"""`@frozen`: the immutable value classes of the query-time path, without `dataclasses`.

`dataclasses` (with `inspect`, `ast`, `tokenize` …) costs more to import than the whole path
walk takes, and every `b12kg trace` would pay it. `frozen` gives a class what
`@dataclass(frozen=True)` gave the results: an `__init__` over the annotated fields in order
(with their class-level defaults), `__repr__`, field-wise `__eq__` and `__hash__`,
`__match_args__`, and assignment refused (`FrozenInstanceError`, an `AttributeError`). A field
listed in `hidden` is left out of the repr and of comparison (as `field(compare=False,
repr=False)` did). Use `to_record()` (or `b12kg.records`) for plain dicts.
"""

from __future__ import annotations


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen result."""


def _refuse(self, name, value=None):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def frozen(cls=None, /, *, hidden: tuple[str, ...] = ()):
    def wrap(cls):
        names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063 (no inspect)
        missing = object()
        defaults = {n: cls.__dict__.get(n, missing) for n in names}
        params, body = [], []
        for name in names:
            default = defaults[name]
            params.append(name if default is missing else f"{name}=_d_{name}")
            body.append(f"    _set(self, {name!r}, {name})")
        namespace = {f"_d_{n}": d for n, d in defaults.items() if d is not missing}
        namespace["_set"] = object.__setattr__
        source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
        exec(source, namespace)  # one generated __init__, as dataclasses does
        shown = tuple(n for n in names if n not in hidden)

        def __repr__(self):
            inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
            return f"{type(self).__qualname__}({inner})"

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, n) == getattr(other, n) for n in shown)

        def __hash__(self):
            return hash(tuple(getattr(self, n) for n in shown))

        init = namespace["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = init
        if "__repr__" not in cls.__dict__:  # a class may write its own, shorter repr
            cls.__repr__ = __repr__
        cls.__eq__ = __eq__
        cls.__hash__ = __hash__
        cls.__setattr__ = _refuse
        cls.__delattr__ = _refuse
        cls.__match_args__ = names
        return cls

    return wrap if cls is None else wrap(cls)
