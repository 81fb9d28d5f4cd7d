"""The gradient table: one vector-Jacobian rule per differentiable primitive, by topic.

Importing this package registers every rule; ``minpy.backprop``, the pass that calls them,
imports it (so the namespace and its rules form no import cycle). Nothing here imports NumPy
or CuPy, and nothing here is public.

The rule contract, for every module of the package:

- A rule is ``rule(g, ans, *args, **kwargs) -> gradient of args[argnum]``, one per argument,
  registered with ``defvjp(prim, rule_0, rule_1, ...)`` (``None`` where an argument has no
  gradient); or one ``rule(argnum, g, ans, *args, **kwargs)`` for all arguments, registered
  with ``defvjp_argnum``. ``g`` is the gradient of the output, ``ans`` the output. For a
  primitive returning a tuple (``linalg.svd``) ``ans`` is the tuple and ``g`` a
  ``minpy.record.Cotangents``: the outputs' gradients in order, ``None`` where none arrived.
- A rule is written in minpy operations, so it runs on any device and is itself
  differentiable (higher-order gradients come for free). Never a rule per backend.
- ``keep=`` says what a tape node holds for the rules: "all" (inputs and output, the
  default), "args" (inputs; ``ans`` is None), "ans" (output) or "meta" (shapes only; ``ans``
  is None). An input not held reaches the rule as a Meta stand-in that has only ``.shape``,
  ``.dtype``, ``.device``, ``.ndim`` and ``.size``.
- A rule receives either minpy Arrays or raw backend arrays. In a first-order backward pass
  on the CPU (the raw host mode, ``RAW_HOST``; see ``minpy.backprop``) ``g``, ``ans`` and
  ``args`` are plain ``numpy.ndarray``s, and the primitives the rule calls return
  ``numpy.ndarray``s; under an outer ``grad`` (higher order) or on a GPU they are Arrays.
  So a rule uses only what is valid on both: operators, ``minpy.numpy`` functions,
  ``.shape``/``.ndim``/``.dtype`` (and ``.size``, ``.device``); never an Array-only
  attribute nor a NumPy-only function. Where the two must be told apart, test
  ``isinstance(x, Array)`` as ``_helpers.raw`` and ``_helpers.mask`` do.

The conventions every rule follows:

- Complex numbers as in HIPS autograd and JAX: for a real loss ``L`` of ``z = x + iy`` the
  gradient is ``dL/dx - i dL/dy`` (so ``grad(lambda z: np.sum(np.abs(z) ** 2))`` at ``3+4j`` is
  ``6-8j``). A holomorphic function's rule is the real formula with no conjugate; the
  derivative along a direction ``v`` is ``Re(sum(grad * v))``. PyTorch returns the conjugate
  (``dL/dx + i dL/dy``). A real input promoted to complex in the forward pass gets the real
  part of its gradient (``_helpers.unbroadcast`` and ``drop_imag`` see to it).
- Where a function has no derivative we return the subgradient 0, and where the naive formula
  would divide by zero we return the limit: never nan (``abs``/``norm``/``std`` at 0, ties,
  ``power(0, 0)``). Only a value NumPy itself gives as nan (``var`` with ``ddof >= n``) has a
  nan gradient.
- Ties share: ``maximum``/``minimum`` and ``max``/``min`` over ties split the gradient evenly
  between the tied entries (HIPS autograd's choice); ``clip`` gives it to the bound.
- dtypes: a rule keeps Python numbers as Python numbers (weakly typed, NEP 50), so a float32
  input gets a float32 gradient through ``2.0 ** x``. A float32 input combined with a float64
  array has a float64 result, and its gradient is float64 too: that is NumPy's promotion of
  the forward pass, which the rules follow rather than cast back.
"""

from minpy.numpy.vjps import (  # noqa: F401  (importing a module registers its rules)
    decompositions,
    differences,
    elementwise,
    extras,
    fft,
    indexing,
    linalg,
    polynomials,
    products,
    reductions,
    shape,
)

__all__: list[str] = []
