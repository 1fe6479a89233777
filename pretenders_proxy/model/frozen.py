"""Building many frozen dataclass instances fast (a cassette's index holds one per exchange).

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`; the
slot's own descriptor sets it in a fraction of the time. `maker` writes a constructor that way
(generated, as dataclasses writes `__init__`): the instances are the same, the route shorter.
"""

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any


def maker[T](cls: type[T]) -> Callable[..., T]:
    """A constructor of the slotted dataclass `cls` taking every field, in order, positionally.

    Nothing is checked or defaulted and no `__post_init__` runs: it is for data already checked
    (the index of a cassette), where it is the same as `cls(*values)` only faster.
    """
    if not is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__, which maker() would skip")
    setters = [cls.__dict__[field.name].__set__ for field in fields(cls)]
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    namespace |= {f"set{n}": setter for n, setter in enumerate(setters)}
    values = "".join(f"v{n}, " for n in range(len(setters))) + "/" * bool(setters)
    body = "".join(f"    set{n}(made, v{n})\n" for n in range(len(setters)))
    # the source names nothing from outside: numbered values and setters only
    exec(
        f"def make({values}):\n    made = new(cls)\n{body}    return made\n",
        namespace,
    )
    make: Callable[..., T] = namespace["make"]
    make.__qualname__ = make.__name__ = f"make_{cls.__name__}"
    return make
