"""The model builder's protocol and plumbing: ``Module`` (the base class every block and
custom module derives from), the containers ``Sequential`` and ``Add``, the shape helpers
(``normal_shape``, ``swapaxes``, ``transpose``) and the checks the blocks share (pairs, image
shapes, window sizes, per-class name counters). No layer with parameters lives here (see
``blocks``), nor the ``Model`` (see ``model``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import minpy.numpy as np
from minpy.array import Array

__all__ = [
    "MODE_KEY",
    "Add",
    "Module",
    "Sequential",
    "Shape",
    "normal_shape",
    "swapaxes",
    "transpose",
]

Shape = tuple[int, ...]
MODE_KEY = "__training_in_progress__"


def normal_shape(shape: Any) -> Shape:
    """``shape`` as a tuple of Python ints (an int is a 1-D shape).

    Examples
    --------
    >>> from minpy.nn.model_builder import normal_shape
    >>> normal_shape([3, 32.0]), normal_shape(5)
    ((3, 32), (5,))
    """
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def swapaxes(inputs: Array, axis0: int, axis1: int) -> Array:
    """``np.swapaxes`` (MinPy ran it as an MXNet symbol)."""
    return np.swapaxes(inputs, axis0, axis1)


def transpose(inputs: Array, axes: Any) -> Array:
    """``np.transpose`` (MinPy ran it as an MXNet symbol)."""
    return np.transpose(inputs, axes)


def image_shape_of(module: str, input_shape: Shape) -> Shape:
    """``input_shape`` if it is a per-sample image ``(C, H, W)``; raises otherwise."""
    if len(input_shape) != 3:
        raise ValueError(
            f"{module}: expects per-sample images of shape (C, H, W), got input shape "
            f"{input_shape!r}; put builder.Reshape((C, H, W)) before it"
        )
    return input_shape


def window_size(module: str, size: int, kernel: int, stride: int, pad: int) -> int:
    """Output length of a window sliding over ``size`` (MXNet's and ours: floor rounding)."""
    out = (size + 2 * pad - kernel) // stride + 1
    if out < 1:
        raise ValueError(
            f"{module}: a kernel of {kernel} does not fit an input of {size} padded by {pad}; "
            "use a smaller kernel or more padding"
        )
    return out


def _merge(shapes: dict[str, Shape], more: Mapping[str, Shape]) -> None:
    """Add ``more`` to ``shapes``; a name shared by two modules must have one shape."""
    for name, shape in more.items():
        if name in shapes and shapes[name] != tuple(shape):
            raise ValueError(
                f"parameter {name!r} is used with shapes {shapes[name]!r} and {tuple(shape)!r}; "
                "a module reused in two places must see inputs of the same shape"
            )
        shapes[name] = tuple(shape)


def checked_index(cls: type) -> int:
    """The next number of the counter (MinPy's ``count`` class attribute) of the nearest class
    that defines one, so a user's subclass of ``Affine`` shares its names' sequence."""
    owner = next((c for c in cls.__mro__ if "count" in c.__dict__), cls)
    k: int = owner.__dict__.get("count", 0)
    owner.count = k + 1  # type: ignore[attr-defined]
    return k


def _check_module(value: Any, where: str) -> Module:
    if not isinstance(value, Module):
        raise TypeError(
            f"{where}: expected a model_builder Module, got {value!r}; wrap a function in a "
            "Module subclass with forward(inputs, params) and output_shape(input_shape)"
        )
    return value


class Module:
    """Base class of every building block (see the module docstring for the protocol)."""

    def forward(self, inputs: Any, params: Mapping[str, Any]) -> Any:
        """The output for the batch ``inputs``; ``params[MODE_KEY]`` is the mode."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(inputs, params)")

    def output_shape(self, input_shape: Shape) -> Shape:
        """The per-sample output shape for per-sample inputs of ``input_shape``."""
        raise NotImplementedError(f"{type(self).__name__} must define output_shape(input_shape)")

    def parameter_shape(self, input_shape: Shape) -> dict[str, Shape]:
        """``{name: shape}`` of the parameters, for per-sample inputs of ``input_shape``."""
        return {}

    def parameter_settings(self) -> dict[str, dict[str, Any]]:
        """``{name: add_param keyword arguments}`` (``init_rule``, ``init_config``)."""
        return {}


class _Container(Module):
    """A module made of modules: parameters and settings are those of its members."""

    def __init__(self, modules: tuple[Any, ...], where: str) -> None:
        self._modules = [_check_module(m, where) for m in modules]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    def parameter_settings(self) -> dict[str, dict[str, Any]]:
        settings: dict[str, dict[str, Any]] = {}
        for module in self._modules:
            settings.update(module.parameter_settings())
        return settings


class Sequential(_Container):
    """A feed-forward chain: each module's output is the next one's input.

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> net = builder.Sequential(builder.Affine(32), builder.ReLU())
    >>> net.append(builder.Affine(10))
    >>> net.output_shape((64,)), len(net.parameter_shape((64,)))
    ((10,), 4)
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__(modules, "Sequential")

    def forward(self, inputs: Any, params: Mapping[str, Any]) -> Any:
        for module in self._modules:
            inputs = module.forward(inputs, params)
        return inputs

    def output_shape(self, input_shape: Shape) -> Shape:
        for module in self._modules:
            input_shape = normal_shape(module.output_shape(input_shape))
        return input_shape

    def parameter_shape(self, input_shape: Shape) -> dict[str, Shape]:
        shapes: dict[str, Shape] = {}
        for module in self._modules:
            _merge(shapes, module.parameter_shape(input_shape))
            input_shape = normal_shape(module.output_shape(input_shape))
        return shapes

    def append(self, module: Module) -> None:
        """Add ``module`` at the end of the chain."""
        self._modules.append(_check_module(module, "Sequential.append"))

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        self._modules.insert(index, _check_module(module, "Sequential.insert"))

    def remove(self, index: int) -> None:
        """Remove the module at position ``index`` (``0 <= index < len(self)``)."""
        if not isinstance(index, int) or not 0 <= index < len(self._modules):
            raise IndexError(
                f"Sequential.remove: index {index!r} is out of range for {len(self._modules)} "
                "modules; pass a position from 0"
            )
        del self._modules[index]


class Add(_Container):
    """Runs every branch on the same input and sums their outputs (residual blocks).

    Examples
    --------
    >>> from minpy.nn import model_builder as builder
    >>> branch = builder.Sequential(builder.Affine(8), builder.ReLU())
    >>> block = builder.Add(branch, builder.Identity())
    >>> block.output_shape((8,))
    (8,)
    """

    def __init__(self, *modules: Module) -> None:
        if not modules:
            raise ValueError("Add: needs at least one branch, e.g. Add(branch, Identity())")
        super().__init__(modules, "Add")

    def forward(self, inputs: Any, params: Mapping[str, Any]) -> Any:
        outputs = [module.forward(inputs, params) for module in self._modules]
        total = outputs[0]
        for out in outputs[1:]:
            total = total + out
        return total

    def output_shape(self, input_shape: Shape) -> Shape:
        shapes = [normal_shape(m.output_shape(input_shape)) for m in self._modules]
        if any(s != shapes[0] for s in shapes):
            raise ValueError(
                f"Add: the branches give outputs of shapes {shapes!r} for inputs of shape "
                f"{input_shape!r}; every branch must give the same shape"
            )
        return shapes[0]

    def parameter_shape(self, input_shape: Shape) -> dict[str, Shape]:
        shapes: dict[str, Shape] = {}
        for module in self._modules:
            _merge(shapes, module.parameter_shape(input_shape))
        return shapes
