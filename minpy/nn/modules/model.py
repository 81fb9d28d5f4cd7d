"""``Model`` (a ``ModelBase`` whose parameters come from the modules assigned to it, called
to run forward and loss and to record the gradients) and ``Updater`` (per-parameter update
configs applying ``minpy.nn.optim`` rules).

The gradients come from ``minpy.core.grad_and_loss`` over the model's parameters; no module
here defines a layer (see ``base`` and the layer modules).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, ItemsView, Iterable, KeysView, Mapping, ValuesView
from typing import Any

import numpy

import minpy.numpy as np
from minpy.array import Array
from minpy.core import grad_and_loss
from minpy.nn import layers as _layers
from minpy.nn import optim as _optim
from minpy.nn.model import ModelBase
from minpy.nn.modules.base import Layer, Module

__all__ = ["Model", "Updater"]

_STATE = ("params", "param_configs", "aux_params", "aux_param_configs")


def _as_array(value: Any) -> Any:
    if isinstance(value, (numpy.ndarray, numpy.number, int, float)) and not isinstance(value, bool):
        return np.asarray(value)
    return value


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def _reduce(value: Any) -> Any:
    if isinstance(value, Array) and value.size == 1:
        return value.item()
    return value


def _loss_function(loss: Any) -> Callable[..., Any]:
    if callable(loss):
        return loss  # type: ignore[no-any-return]
    fn = getattr(_layers, loss, None) if isinstance(loss, str) else None
    if fn is None:
        raise ValueError(
            f"unknown loss {loss!r}; pass the name of a minpy.nn.layers function (e.g. "
            "'softmax_loss', 'l2_loss') or a callable loss(*predictions, *labels)"
        )
    return fn  # type: ignore[no-any-return]


class Model(ModelBase):
    """A model made of modules: assign them as attributes, write ``forward``, call it.

    Attributes assigned a ``Module``, a list/tuple/dict of modules (nested too) or another
    ``Model`` (whose modules join this one) are registered: their layers keep their
    parameters in this model's ``params`` and ``aux_params``, created on each layer's first
    call. Two different layers may not share a name.

    ``model(forward_args, labels=...)`` runs ``forward(*forward_args, mode='training')`` and
    the loss on the predictions and labels, differentiating with respect to every parameter;
    it returns the loss, and ``backward()`` the gradients of that call as
    ``{param name: gradient}``. ``loss`` (here or in the call) is the name of a
    ``minpy.nn.layers`` function or a callable ``loss(*predictions, *labels)``; a subclass may
    define ``loss`` instead. Without one, the call returns the predictions (and the gradients
    are those of their sum). On the first call, where layers create their parameters while
    it runs, the forward and loss run twice (the second time differentiating the new
    parameters too, from the auxiliary state before the first): side effects of a
    user-written ``forward`` happen twice then.

    Examples
    --------
    >>> from minpy.nn.modules import FullyConnected, Model, ReLU, Sequential, Updater
    >>> class MLP(Model):
    ...     def __init__(self):
    ...         super().__init__(loss="softmax_loss")
    ...         self.net = Sequential(FullyConnected(num_hidden=8, name="fc0"), ReLU(),
    ...                               FullyConnected(num_hidden=3, name="fc1"))
    ...     def forward(self, X, mode="training"):
    ...         return self.net(X)
    >>> model = MLP()
    >>> updater = Updater(model, update_rule="sgd", learning_rate=0.1)
    >>> loss = model(np.ones((4, 5)), labels=np.array([0, 1, 2, 0]))
    >>> sorted((k, v.shape) for k, v in model.backward().items())
    [('fc0_bias', (8,)), ('fc0_weight', (8, 5)), ('fc1_bias', (3,)), ('fc1_weight', (3, 8))]
    >>> updater(model.backward())
    """

    _modules: list[Module]
    _layer_names: dict[str, Layer]
    _update_configs: dict[str, dict[str, Any]]
    _loss_rule: Any
    _grads: dict[str, Array] | None
    _results: Any
    _attached: dict[str, Array]
    _detached: set[str]
    _running: bool
    lazy_params = True  # its layers make their parameters on their first call

    def __init__(self, loss: Any = None) -> None:
        object.__setattr__(self, "_modules", [])  # registered top-level modules, in order
        object.__setattr__(self, "_layer_names", {})  # layer name -> layer
        object.__setattr__(self, "_update_configs", {})
        object.__setattr__(self, "_loss_rule", loss)
        object.__setattr__(self, "_grads", None)
        object.__setattr__(self, "_results", None)
        object.__setattr__(self, "_attached", {})  # extra arrays to differentiate
        object.__setattr__(self, "_detached", set())  # parameters left out
        object.__setattr__(self, "_running", False)
        if loss is not None:
            _loss_function(loss)  # fail early on an unknown name
        super().__init__()

    # registration ---------------------------------------------------------------------------
    def __setattr__(self, attr: str, value: Any) -> None:
        if attr not in _STATE:
            self._register(value)
        object.__setattr__(self, attr, value)

    def _register(self, value: Any) -> None:
        if isinstance(value, Model) and value is not self:
            for module in value._modules:
                self._register(module)
            self.params.update({k: v for k, v in value.params.items() if k not in self.params})
            self.aux_params.update(
                {k: v for k, v in value.aux_params.items() if k not in self.aux_params}
            )
        elif isinstance(value, Module):
            self._register_module(value)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                self._register(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._register(item)

    def _register_module(self, module: Module) -> None:
        if any(m is module for m in self._modules):
            return
        names = self._layer_names
        found = list(module.layers())
        for layer in found:
            other = names.get(layer.name)
            if other is not None and other is not layer:
                raise ValueError(
                    f"two different layers are named {layer.name!r} in one model; their "
                    "parameters would clash: give each layer a distinct name"
                )
        for layer in found:
            names[layer.name] = layer
            layer._model = self
            self._update_configs.update(layer._update_configs)
        self._modules.append(module)

    def training(self) -> None:
        """Put every registered layer in training mode."""
        for module in self._modules:
            module.training()

    def inference(self) -> None:
        """Put every registered layer in inference mode."""
        for module in self._modules:
            module.inference()

    def add_param(self, name: str, shape: Any, **kwargs: Any) -> ModelBase:
        """Not available: a ``Model``'s parameters come from its layers."""
        raise NotImplementedError(
            "Model.add_param: a minpy.nn.modules Model takes its parameters from its layers; "
            "use a Variable layer for a free parameter, or minpy.nn.model.ModelBase"
        )

    def add_params(self, param_dict: Mapping[str, Mapping[str, Any]]) -> ModelBase:
        """Not available (see ``add_param``)."""
        return self.add_param("", ())

    def add_aux_param(self, name: str, value: Any) -> ModelBase:
        """Not available (see ``add_param``)."""
        return self.add_param(name, ())

    # forward, loss, gradients ---------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The predictions for the inputs; subclasses define it, taking ``mode=``."""
        raise NotImplementedError(
            f"{type(self).__name__} must define forward(self, *inputs, mode='training')"
        )

    def loss(self, *args: Any, **kwargs: Any) -> Any:
        """The loss rule given to the constructor, applied to predictions and labels."""
        if self._loss_rule is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no loss; pass Model(loss='softmax_loss') or define "
                "loss(self, *predictions, *labels)"
            )
        return _loss_function(self._loss_rule)(*args, **kwargs)

    def _has_loss(self) -> bool:
        return self._loss_rule is not None or type(self).loss is not Model.loss

    def attach(self, name: str, array: Array | None = None) -> Model:
        """Differentiate ``array`` too, as ``name``, from the next call on (or, with no
        array, a parameter left out by ``detach`` again). Returns the model."""
        if self._running:
            raise RuntimeError(
                f"Model.attach({name!r}) during a call: the arrays to differentiate are chosen "
                "when the call starts; attach it before calling the model"
            )
        self._detached.discard(name)
        if array is not None and self.params.get(name) is not array:
            self._attached[name] = array
        return self

    def detach(self, name: str) -> Model:
        """Leave ``name`` (a parameter or an attached array) out of the gradients."""
        if self._attached.pop(name, None) is None:
            self._detached.add(name)
        return self

    def __call__(
        self,
        forward_args: Any = None,
        forward_kwargs: Mapping[str, Any] | None = None,
        labels: Any = None,
        loss_kwargs: Mapping[str, Any] | None = None,
        forward: Callable[..., Any] | None = None,
        loss: Any = None,
        attach_all: bool = True,
        reduce_array: bool = False,
    ) -> Any:
        """Run forward and loss, differentiating them; return the loss (see the class).

        Parameters
        ----------
        forward_args
            An input array or a tuple of them.
        forward_kwargs
            Keyword arguments of ``forward``; ``mode`` defaults to ``'training'``.
        labels
            A label array or a tuple of them, passed after the predictions to the loss.
        loss_kwargs
            Keyword arguments of the loss.
        forward, loss
            Replace ``self.forward`` and the model's loss for this call.
        attach_all
            Differentiate every parameter (else only arrays given to ``attach``).
        reduce_array
            Return a Python number for a result of size 1.

        Returns
        -------
        The loss, or the predictions if there is no loss.
        """
        args = tuple(_as_array(a) for a in _as_tuple(forward_args))
        fkwargs = dict(forward_kwargs or {})
        fkwargs.setdefault("mode", "training")
        label_args = tuple(_as_array(y) for y in _as_tuple(labels))
        forward_fn = self.forward if forward is None else forward
        if loss is not None:
            loss_fn: Callable[..., Any] | None = _loss_function(loss)
        else:
            loss_fn = self.loss if self._has_loss() else None
        lkwargs = dict(loss_kwargs or {})

        def run(params: dict[str, Any], extra: dict[str, Any]) -> Any:
            # the traced parameters replace the model's while forward reads them
            saved = {k: self.params[k] for k in params}
            self.params.update(params)
            try:
                predictions = forward_fn(*args, **fkwargs)
                if loss_fn is None:
                    return predictions
                return loss_fn(*_as_tuple(predictions), *label_args, **lkwargs)
            finally:
                self.params.update(saved)

        object.__setattr__(self, "_running", True)
        try:
            for _ in range(2):
                known = set(self.params)
                aux_before = dict(self.aux_params)
                chosen = {
                    k: v for k, v in self.params.items() if attach_all and k not in self._detached
                }
                extra = {k: v for k, v in self._attached.items() if k not in chosen}
                (grads, extra_grads), result = grad_and_loss(run, [0, 1])(chosen, extra)
                if set(self.params) <= known:
                    break
                # layers created parameters during this call (their first): run it again,
                # differentiating them too, from the auxiliary state it started with
                self.aux_params.clear()
                self.aux_params.update(aux_before)
        finally:
            object.__setattr__(self, "_running", False)
        object.__setattr__(self, "_grads", {**grads, **extra_grads})
        object.__setattr__(self, "_results", result)
        if reduce_array:
            return tuple(map(_reduce, result)) if isinstance(result, tuple) else _reduce(result)
        return result

    def backward(self, upstream: Any = None) -> dict[str, Array]:
        """``{name: gradient}`` of the last call's loss (or summed predictions).

        Raises
        ------
        RuntimeError
            The model has not been called yet.
        """
        if upstream is not None:
            raise NotImplementedError(
                "Model.backward(upstream=...): the gradient is that of the loss the call "
                "returned; return a weighted loss from forward/loss instead"
            )
        if self._grads is None:
            raise RuntimeError(
                "Model.backward: no call to differentiate yet; call model(inputs, labels=...) first"
            )
        return dict(self._grads)

    def grad_and_loss(self, data: Any, labels: Any) -> tuple[dict[str, Array], Any]:
        """``(backward(), loss)`` of ``self(data, labels=labels)``."""
        loss = self(data, labels=labels)
        return self.backward(), loss


class _ParamConfig:
    """One parameter's update config, read and written as attributes."""

    def __init__(self, config: dict[str, Any]) -> None:
        object.__setattr__(self, "_config", config)

    def __getattr__(self, attr: str) -> Any:
        try:
            return self._config[attr]
        except KeyError:
            raise AttributeError(f"this parameter's update config has no {attr!r}") from None

    def __setattr__(self, attr: str, value: Any) -> None:
        self._config[attr] = value


class Updater:
    """Per-parameter update configs and the step that applies them.

    The configs start as deep copies of the model's (its layers' ``update_configs``), so
    several updaters can serve one model. Keyword arguments set an attribute for every
    parameter (``update_rule='sgd'``, ``learning_rate=0.1``); so does ``updater.attr = v``,
    and reading ``updater.attr`` gives the common value. ``updater['fc0_weight'].attr = v``
    sets one parameter's; ``updater['fc0_weight'] = {...}`` replaces its config.
    ``updater(grad_dict)`` applies ``minpy.nn.optim.<update_rule>`` (MinPy's functional form:
    new arrays) to each parameter in ``grad_dict``, keeping the rule's state in the config.

    Examples
    --------
    >>> from minpy.nn.modules import Model, Updater, Variable
    >>> class Toy(Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.v = Variable((2,), init_configs={"value": 1.0}, name="v")
    ...     def forward(self, mode="training"):
    ...         return self.v() ** 2
    >>> model = Toy()
    >>> updater = Updater(model, update_rule="sgd", learning_rate=0.25)
    >>> _ = model()
    >>> updater(model.backward())
    >>> model.params["v_variable"], updater.learning_rate
    (array([0.5, 0.5], dtype=float32), 0.25)
    """

    def __init__(self, model: Model, **kwargs: Any) -> None:
        if not isinstance(model, Model):
            raise TypeError(
                f"Updater: expected a minpy.nn.modules Model, got {type(model).__name__}; for a "
                "ModelBase use minpy.nn.solver.Solver or minpy.nn.optim directly"
            )
        object.__setattr__(self, "_configs", copy.deepcopy(model._update_configs))
        object.__setattr__(self, "_model", model)
        for attr, value in kwargs.items():
            setattr(self, attr, value)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        values = [c[attr] for c in self._configs.values() if attr in c]
        if not values:
            raise AttributeError(
                f"no parameter's update config has {attr!r}; set it with updater.{attr} = ..."
            )
        first = values[0]
        for v in values[1:]:
            if v is not first and (type(v) is not type(first) or v != first):
                raise ValueError(
                    f"the parameters' update configs differ in {attr!r} ({first!r}, {v!r}, "
                    f"...); read one with updater['<param name>'].{attr}"
                )
        return first

    def __setattr__(self, attr: str, value: Any) -> None:
        for config in self._configs.values():
            config[attr] = value

    def __getitem__(self, param_name: str) -> _ParamConfig:
        return _ParamConfig(self._config(param_name))

    def __setitem__(self, param_name: str, config: Mapping[str, Any]) -> None:
        if not isinstance(config, Mapping):
            raise TypeError(f"Updater[{param_name!r}] = ...: expected a dict, got {config!r}")
        self._configs[param_name] = copy.deepcopy(dict(config))

    def _config(self, param_name: str) -> dict[str, Any]:
        try:
            return self._configs[param_name]  # type: ignore[no-any-return]
        except KeyError:
            raise KeyError(
                f"Updater: no update config for parameter {param_name!r}; it knows "
                f"{sorted(self._configs)!r} (create the Updater after assigning every layer "
                "to the model)"
            ) from None

    def keys(self) -> KeysView[str]:
        """The parameter names."""
        return self._configs.keys()  # type: ignore[no-any-return]

    def values(self) -> ValuesView[dict[str, Any]]:
        """The per-parameter configs."""
        return self._configs.values()  # type: ignore[no-any-return]

    def items(self) -> ItemsView[str, dict[str, Any]]:
        """``(parameter name, config)`` pairs."""
        return self._configs.items()  # type: ignore[no-any-return]

    def __call__(self, grad_dict: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Update each parameter named in ``grad_dict`` with its gradient there.

        Raises
        ------
        ValueError
            A parameter's ``update_rule`` is still ``'unspecified'``, or unknown.
        KeyError
            A name in ``grad_dict`` has no config here.
        """
        params = self._model.params
        for name, g in dict(grad_dict).items():
            config = self._config(name)
            rule_name = config.get("update_rule", "unspecified")
            if rule_name == "unspecified":
                raise ValueError(
                    f"Updater: parameter {name!r} has no update rule; pass "
                    "Updater(model, update_rule='sgd') or set updater.update_rule = 'adam'"
                )
            rule = _optim.get(rule_name)
            params[name], new_config = rule(params[name], g, config)
            if new_config is not config:
                config.update(new_config)
