"""The machinery of the module API: ``Module`` (names, ``a + b``), the containers
(``Container``, ``Sequential``, ``Parallel``, ``Binary`` and ``Add``/``Sub``/``Mul``) and
``Layer``: parameters named ``'<layer name>_<local>'``, their default and user configs, and
their creation in the bound ``Model`` from shapes inferred on the first call.

The concrete layers live in ``basic``, ``dense``, ``conv`` and ``recurrent``; ``Model`` and
``Updater`` in ``model``. Nothing here differentiates or updates anything.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import minpy.numpy as np
from minpy.array import Array
from minpy.nn import init as _init

if TYPE_CHECKING:
    from minpy.nn.modules.model import Model

__all__ = [
    "Add",
    "Binary",
    "Container",
    "Layer",
    "Module",
    "Mul",
    "Parallel",
    "Sequential",
    "Sub",
]

Shape = tuple[int, ...]

# the next number of each _module_name (MinPy's global counter: 'fullyconnected0', ...)
_COUNTERS: dict[str, int] = {}


def _auto_name(module_name: str) -> str:
    k = _COUNTERS.get(module_name, 0)
    _COUNTERS[module_name] = k + 1
    return f"{module_name}{k}"


def _shape_of(value: Any) -> Shape | None:
    """The shape of an array argument (MinPy Array or anything with a shape), else None."""
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(int(s) for s in shape)


def _descendants(value: Any, seen: set[int]) -> Iterator[Module]:
    """Every module in ``value`` (a module, or lists/tuples/dicts of them), each once."""
    if isinstance(value, Module):
        if id(value) in seen:
            return
        seen.add(id(value))
        yield value
        for attr, child in vars(value).items():
            if attr != "_model":
                yield from _descendants(child, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _descendants(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _descendants(item, seen)


class Module:
    """Base class of every module: a name, training/inference mode, ``+``, ``-`` and ``*``.

    A subclass sets the class attribute ``_module_name``; instances without an explicit
    ``name`` are numbered per module name, as in MinPy (``'fullyconnected0'``,
    ``'fullyconnected1'``, ...). Calling a module runs ``forward``. ``a + b`` is
    ``Add(a, b)``: a module whose output is ``a(X) + b(X)``.

    Examples
    --------
    >>> from minpy.nn.modules import ReLU, Identity
    >>> block = ReLU(name="act") + Identity(name="skip")
    >>> block.name.startswith("add"), block(np.array([-1.0, 2.0]))
    (True, array([-1.,  4.]))
    """

    _module_name: str | None = None

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            if not self._module_name:
                raise TypeError(
                    f"{type(self).__name__} has no _module_name to number its instances by; "
                    "set the class attribute _module_name = '...' or pass name='...'"
                )
            name = _auto_name(self._module_name)
        elif not isinstance(name, str) or not name:
            raise ValueError(f"a module's name must be a non-empty string, got {name!r}")
        self._name = name

    @property
    def name(self) -> str:
        """The module's name (the prefix of its parameters' names)."""
        return self._name

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name!r}>"

    def __add__(self, other: Module) -> Add:
        return Add(self, other)

    def __sub__(self, other: Module) -> Sub:
        return Sub(self, other)

    def __mul__(self, other: Module) -> Mul:
        return Mul(self, other)

    def modules(self) -> Iterator[Module]:
        """This module and every module it holds (in attributes, lists, tuples, dicts)."""
        return _descendants(self, set())

    def layers(self) -> Iterator[Layer]:
        """Every ``Layer`` among ``modules()``."""
        return (m for m in self.modules() if isinstance(m, Layer))

    def training(self) -> None:
        """Put every layer in training mode (batch statistics, dropout on)."""
        for layer in self.layers():
            layer._mode = "training"

    def inference(self) -> None:
        """Put every layer in inference mode (moving statistics, dropout off)."""
        for layer in self.layers():
            layer._mode = "inference"


class Container(Module):
    """A module made of modules; it has no parameters of its own."""

    def param_shapes(self, *args: Any, **kwargs: Any) -> dict[str, Shape]:
        """``{}``: a container's parameters belong to its layers."""
        return {}

    def aux_param_shapes(self, *args: Any, **kwargs: Any) -> dict[str, Shape]:
        """``{}``: a container's auxiliary parameters belong to its layers."""
        return {}


def _check_module(value: Any, where: str) -> Module:
    if not isinstance(value, Module):
        raise TypeError(
            f"{where}: expected a minpy.nn.modules Module, got {value!r}; wrap the function in "
            "a Layer subclass with a forward method"
        )
    return value


class Sequential(Container):
    """A chain: each module's output is the next one's input (a tuple is splatted).

    Examples
    --------
    >>> from minpy.nn.modules import BatchFlatten, ReLU, Sequential
    >>> net = Sequential(ReLU(), BatchFlatten())
    >>> net(np.array([[[-1.0, 2.0]]]))
    array([[0., 2.]])
    >>> len(net), net.pop() is not None, len(net)
    (2, True, 1)
    """

    _module_name = "sequential"

    def __init__(self, *modules: Module, name: str | None = None) -> None:
        super().__init__(name)
        self._modules = [_check_module(m, "Sequential") for m in modules]

    def forward(self, *args: Any) -> Any:
        for module in self._modules:
            out = module(*args)
            args = out if isinstance(out, tuple) else (out,)
        return args[0] if len(args) == 1 else args

    def append(self, module: Module) -> None:
        """Add ``module`` at the end of the chain."""
        self._modules.append(_check_module(module, "Sequential.append"))

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        self._modules.insert(index, _check_module(module, "Sequential.insert"))

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index`` (the last one by default)."""
        return self._modules.pop(index)

    def reverse(self) -> None:
        """Reverse the chain in place."""
        self._modules.reverse()

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, index: int) -> Module:
        return self._modules[index]


class Parallel(Container):
    """Base class of modules that apply several modules to the same input."""

    _module_name = "parallel"


class Binary(Parallel):
    """``forward(X) = operator(left(X), right(X))``."""

    _module_name = "binary"

    def __init__(
        self,
        left: Module,
        right: Module,
        operator: Callable[[Any, Any], Any],
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self._left = _check_module(left, type(self).__name__)
        self._right = _check_module(right, type(self).__name__)
        self._operator = operator

    def __str__(self) -> str:
        return f"({self._left} {self._module_name} {self._right})"

    def forward(self, X: Any) -> Any:
        return self._operator(self._left(X), self._right(X))


class Add(Binary):
    """``left(X) + right(X)`` (what ``left + right`` builds): a residual connection."""

    _module_name = "add"

    def __init__(self, left: Module, right: Module, name: str | None = None) -> None:
        super().__init__(left, right, operator.add, name)


class Sub(Binary):
    """``left(X) - right(X)`` (what ``left - right`` builds)."""

    _module_name = "sub"

    def __init__(self, left: Module, right: Module, name: str | None = None) -> None:
        super().__init__(left, right, operator.sub, name)


class Mul(Binary):
    """``left(X) * right(X)`` (what ``left * right`` builds)."""

    _module_name = "mul"

    def __init__(self, left: Module, right: Module, name: str | None = None) -> None:
        super().__init__(left, right, operator.mul, name)


# --------------------------------------------------------------------------------------------
# layers


def default_init_config(local_name: str) -> dict[str, Any]:
    """MinPy's default init config of a parameter, chosen by a substring of its local name.

    ``weight``: ``xavier``; ``bias``, ``beta``, ``moving_mean``: constant 0; ``gamma``,
    ``moving_var``: constant 1; anything else: constant 0 (checked in that order).

    Examples
    --------
    >>> from minpy.nn.modules.base import default_init_config
    >>> default_init_config("h2h_weight"), default_init_config("moving_var")
    ({'init_rule': 'xavier'}, {'init_rule': 'constant', 'value': 1})
    """
    if "weight" in local_name:
        return {"init_rule": "xavier"}
    for key, value in (("bias", 0), ("beta", 0), ("gamma", 1), ("moving_mean", 0)):
        if key in local_name:
            return {"init_rule": "constant", "value": value}
    if "moving_var" in local_name:
        return {"init_rule": "constant", "value": 1}
    return {"init_rule": "constant", "value": 0}


def _check_names(names: Any, what: str) -> tuple[str, ...]:
    out: tuple[str, ...] = (names,) if isinstance(names, str) else tuple(names or ())
    for n in out:
        if not isinstance(n, str) or not n.isidentifier():
            raise ValueError(
                f"Layer: {what} names must be identifiers (local names such as 'weight'), got "
                f"{n!r} in {out!r}"
            )
    return out


class Layer(Module):
    """A module with parameters, kept in the ``Model`` it is bound to.

    ``params`` and ``aux_params`` are local names (``('weight', 'bias')``). Each gets the global
    name ``'<layer name>_<local>'``: ``self.<local>`` holds a parameter's, ``self._<local>``
    an auxiliary parameter's. A layer is bound to a model by assigning it (or a container
    holding it) as an attribute of a ``Model``. Its first call infers the shapes with
    ``param_shapes(*input_shapes)`` and ``aux_param_shapes(...)`` (``None`` for an argument
    that is not an array) and creates the parameters missing from ``model.params`` and
    ``model.aux_params`` (pre-loaded ones are kept) with their init configs.

    Configs (``init_configs``, ``update_configs``) are dicts whose keys are local or global
    parameter names (or tuples of them), mapping to that parameter's settings, or attribute
    names (``'init_rule'``, ``'learning_rate'``) applying to every parameter; per-parameter
    settings win. The defaults: ``default_init_config`` by name, and
    ``{'update_rule': 'unspecified'}`` (an ``Updater`` sets the rule).

    Subclasses define ``forward``, ``param_shapes`` and ``aux_param_shapes`` (which return
    ``{global name: shape}``), reading parameters with ``self._get_param(self.weight)``.

    Examples
    --------
    >>> from minpy.nn.modules import Layer
    >>> class Scale(Layer):
    ...     _module_name = "scale"
    ...     def __init__(self, name=None):
    ...         super().__init__(params=("gamma",), name=name)
    ...     def forward(self, X):
    ...         return X * self._get_param(self.gamma)
    ...     def param_shapes(self, x_shape):
    ...         return {self.gamma: x_shape[1:]}
    >>> layer = Scale(name="s")
    >>> layer.gamma, layer._init_configs["s_gamma"]
    ('s_gamma', {'init_rule': 'constant', 'value': 1})
    """

    def __init__(
        self,
        params: Any = None,
        aux_params: Any = None,
        name: str | None = None,
        *,
        init_configs: Mapping[Any, Any] | None = None,
        update_configs: Mapping[Any, Any] | None = None,
    ) -> None:
        super().__init__(name)
        self._module_param_names = _check_names(params, "parameter")
        self._module_aux_param_names = _check_names(aux_params, "auxiliary parameter")
        self._param_names = tuple(f"{self._name}_{p}" for p in self._module_param_names)
        self._aux_param_names = tuple(f"{self._name}_{p}" for p in self._module_aux_param_names)
        for local, full in zip(self._module_param_names, self._param_names):
            setattr(self, local, full)
        for local, full in zip(self._module_aux_param_names, self._aux_param_names):
            setattr(self, f"_{local}", full)
        self._model: Model | None = None
        self._mode = "training"
        self._init_configs: dict[str, dict[str, Any]] = {
            n: {} for n in self._param_names + self._aux_param_names
        }
        self._update_configs: dict[str, dict[str, Any]] = {n: {} for n in self._param_names}
        all_local = self._module_param_names + self._module_aux_param_names
        self._register_init_configs({n: default_init_config(n) for n in all_local})
        self._register_update_configs({"update_rule": "unspecified"})
        self._register_init_configs(init_configs)
        self._register_update_configs(update_configs)

    # configs --------------------------------------------------------------------------------
    def _global_name(self, key: str) -> str | None:
        """The global name of local or global parameter name ``key``, else None."""
        for local, full in zip(
            self._module_param_names + self._module_aux_param_names,
            self._param_names + self._aux_param_names,
        ):
            if key in (local, full):
                return full
        return None

    def _merge_configs(
        self, configs: dict[str, dict[str, Any]], spec: Mapping[Any, Any] | None, what: str
    ) -> None:
        """Apply a config dict (see the class docstring) to ``configs`` (by global name)."""
        if not spec:
            return
        if not isinstance(spec, Mapping):
            raise TypeError(f"{self._name}: {what} must be a dict, got {spec!r}")
        common: dict[str, Any] = {}
        specific: list[tuple[str, Mapping[str, Any]]] = []
        for key, value in spec.items():
            keys = key if isinstance(key, tuple) else (key,)
            names = [self._global_name(k) if isinstance(k, str) else None for k in keys]
            if isinstance(key, tuple) or names[0] is not None or isinstance(value, Mapping):
                for k, full in zip(keys, names):
                    if full is None:
                        known = self._module_param_names + self._module_aux_param_names
                        raise ValueError(
                            f"{self._name}: {what} names {k!r}, which is not one of its "
                            f"parameters {known!r}; use a local name such as {known[:1]!r}"
                        )
                    if not isinstance(value, Mapping):
                        raise TypeError(
                            f"{self._name}: {what}[{key!r}] must be a dict of settings for "
                            f"that parameter, got {value!r}"
                        )
                    specific.append((full, value))
            else:
                common[key] = value
        for config in configs.values():
            config.update(common)
        for full, value in specific:
            if full in configs:  # an update config for an auxiliary parameter is ignored
                configs[full].update(value)

    def _register_init_configs(self, init_configs: Mapping[Any, Any] | None) -> None:
        self._merge_configs(self._init_configs, init_configs, "init_configs")

    def _register_update_configs(self, update_configs: Mapping[Any, Any] | None) -> None:
        self._merge_configs(self._update_configs, update_configs, "update_configs")

    # parameters -----------------------------------------------------------------------------
    def _bound_model(self) -> Model:
        if self._model is None:
            raise RuntimeError(
                f"layer {self._name!r} has parameters but is not bound to a Model; assign it (or "
                "a container holding it) as an attribute of a minpy.nn.modules.Model, e.g. "
                f"self.layer = ... in the model's __init__"
            )
        return self._model

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._param_names or self._aux_param_names:
            model = self._bound_model()
            if any(n not in model.params for n in self._param_names) or any(
                n not in model.aux_params for n in self._aux_param_names
            ):
                shapes = tuple(_shape_of(a) for a in args)
                kwshapes = {k: _shape_of(v) for k, v in kwargs.items()}
                self._create(model.params, self.param_shapes(*shapes, **kwshapes), "param")
                self._create(
                    model.aux_params, self.aux_param_shapes(*shapes, **kwshapes), "aux_param"
                )
        return self.forward(*args, **kwargs)

    def _create(self, table: dict[str, Any], shapes: Mapping[str, Any], what: str) -> None:
        names = self._param_names if what == "param" else self._aux_param_names
        for n in names:
            if n in table:
                continue  # pre-loaded
            if n not in shapes:
                raise ValueError(
                    f"{self._name}: {what}_shapes returned no shape for {n!r} (it returned "
                    f"{dict(shapes)!r}); return {{global name: shape}} for every {what}"
                )
            config = dict(self._init_configs[n])
            rule = _init.get(config.pop("init_rule", "constant"))
            shape = (shapes[n],) if isinstance(shapes[n], int) else tuple(shapes[n])
            table[n] = rule(tuple(int(s) for s in shape), config)

    def _get_param(self, param_name: str) -> Array:
        return self._bound_model().params[param_name]

    def _weight_and_bias(self, no_bias: bool, size: int) -> tuple[Array, Array]:
        """The ``weight`` parameter, and ``bias`` or, with ``no_bias``, zeros of ``size``."""
        params = self._bound_model().params
        w = params[f"{self._name}_weight"]
        if no_bias:
            return w, np.zeros(size, dtype=w.dtype, device=w.device)
        return w, params[f"{self._name}_bias"]

    def _get_params(self, *param_names: str) -> tuple[Array, ...]:
        params = self._bound_model().params
        return tuple(params[n] for n in param_names)

    def _get_aux_param(self, aux_param_name: str) -> Any:
        return self._bound_model().aux_params[aux_param_name]

    def _get_aux_params(self, *aux_param_names: str) -> tuple[Any, ...]:
        aux = self._bound_model().aux_params
        return tuple(aux[n] for n in aux_param_names)

    def _set_aux_param(self, aux_param_name: str, value: Any) -> None:
        """Store ``value`` as the auxiliary parameter: written into the array already there
        when it has the same shape, dtype and device (as MXNet updates its auxiliary states in
        place), so that ``minpy.jit`` replays the update; otherwise stored as it is."""
        aux = self._bound_model().aux_params
        old = aux.get(aux_param_name)
        if (
            isinstance(old, Array)
            and isinstance(value, Array)
            and old.shape == value.shape
            and old.dtype == value.dtype
            and old.device == value.device
            and not old.traced
        ):
            old[...] = value
        else:
            aux[aux_param_name] = value

    @property
    def param_dict(self) -> dict[str, Array]:
        """``{global name: array}`` of the layer's parameters (once created)."""
        return dict(zip(self._param_names, self._get_params(*self._param_names)))

    @property
    def aux_param_dict(self) -> dict[str, Any]:
        """``{global name: array}`` of the layer's auxiliary parameters (once created)."""
        return dict(zip(self._aux_param_names, self._get_aux_params(*self._aux_param_names)))

    def param_shapes(self, *args: Any, **kwargs: Any) -> dict[str, Shape]:
        """``{global name: shape}`` of every parameter, for inputs of these shapes."""
        return {}

    def aux_param_shapes(self, *args: Any, **kwargs: Any) -> dict[str, Shape]:
        """``{global name: shape}`` of every auxiliary parameter, for inputs of these shapes."""
        return {}
