"""Named tuples of many arrays handed to kernels as one object (a numba ``StructRef``).

A kernel that takes a named tuple of 26 arrays (``population.Agents``) unboxes every array on
each call from Python (about 8 µs a call), and its compiled code carries 26 arrays wherever the
tuple goes (each copy of the tuple increfs and decrefs them all): compiling a kernel that takes
the population cost about 0.4 s more than the same kernel taking one object. A struct holds the
same arrays behind one pointer: unboxing it reads one attribute, passing it on copies one
pointer. Kernels read it exactly as they read the tuple (``agents.status``), and they still
accept the tuple itself (tests and ``py_func`` use it).

From Python, a :class:`Proxy` reads like its tuple (``agents.status``, ``agents._fields``,
``agents._replace(...)``, iteration): it keeps the tuple it was made from. Structs are made by
a cached kernel (``to_struct`` of each module), so making one costs nothing to compile after
first use.
"""

from __future__ import annotations

from numba.experimental import structref


class Proxy(structref.StructRefProxy):
    """A struct as Python code sees it: the named tuple it was made from (its fields are
    attributes of the proxy; the rest of the tuple's interface is handed on)."""

    def __getattr__(self, name):  # only for names that are not fields (``_fields``, ...)
        try:
            fields = object.__getattribute__(self, "_tuple")
        except AttributeError:
            raise AttributeError(name) from None
        return getattr(fields, name)

    def __iter__(self):
        return iter(self._tuple)

    def __len__(self):
        return len(self._tuple)

    def __getitem__(self, k):
        return self._tuple[k]


def define(proxy: type[Proxy], struct_type: type, tuple_class: type) -> None:
    """Make ``proxy`` (in jit code: ``proxy(*fields)``) build a ``struct_type`` with the fields of
    ``tuple_class``, and box and unbox it."""
    structref.register(struct_type)
    structref.define_proxy(proxy, struct_type, list(tuple_class._fields))


def wrap(struct: Proxy, fields) -> Proxy:
    """The struct made by a ``to_struct`` kernel, holding its tuple for Python."""
    struct.__dict__.update(fields._asdict())
    struct._tuple = fields
    return struct
