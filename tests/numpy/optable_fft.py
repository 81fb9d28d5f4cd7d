"""Op-table cases of ``minpy.numpy.fft``'s rules (joined to ``optable.CASES``).

Each transform from real and from complex inputs (the real transforms ``rfft*``/``ihfft`` take
real ones only), with ``n=``/``s=`` that pad and that crop, odd and even lengths (the real
transforms' Nyquist bin), other axes, and each ``norm``. ``s=`` always comes with ``axes=``:
NumPy 2 deprecates ``s`` alone.
"""

from __future__ import annotations

import minpy.numpy as np
from tests.numpy.optable import Case, complex_, real

C = Case

CASES: list[Case] = [
    # complex transforms ----------------------------------------------------------------------
    C("fft.fft", lambda x: np.fft.fft(x), [(5,)]),
    C("fft.fft-complex", lambda z: np.fft.fft(z), [(2, 5)], complex_),
    C("fft.fft-n-pad-axis", lambda z: np.fft.fft(z, 6, axis=0), [(3, 2)], complex_),
    C("fft.fft-n-crop-ortho", lambda z: np.fft.fft(z, 3, norm="ortho"), [(2, 5)], complex_),
    C("fft.fft-forward", lambda x: np.fft.fft(x, norm="forward"), [(4,)]),
    C("fft.fft-backward", lambda z: np.fft.fft(z, norm="backward"), [(4,)], complex_),
    C("fft.ifft", lambda z: np.fft.ifft(z), [(2, 4)], complex_),
    C("fft.ifft-real-n-pad", lambda x: np.fft.ifft(x, 7), [(5,)]),
    C("fft.ifft-n-crop-forward", lambda z: np.fft.ifft(z, 2, 0, "forward"), [(4, 2)], complex_),
    C("fft.ifft-ortho", lambda z: np.fft.ifft(z, norm="ortho"), [(3,)], complex_),
    C("fft.fft2", lambda z: np.fft.fft2(z), [(3, 4)], complex_),
    C("fft.fft2-real-s-ortho", lambda x: np.fft.fft2(x, s=(4, 2), norm="ortho"), [(3, 3)]),
    C("fft.fft2-axes", lambda z: np.fft.fft2(z, axes=(0, 2)), [(2, 3, 2)], complex_),
    C("fft.ifft2", lambda z: np.fft.ifft2(z), [(2, 3)], complex_),
    C("fft.ifft2-real-s-forward", lambda x: np.fft.ifft2(x, (2, 5), norm="forward"), [(3, 3)]),
    C("fft.fftn", lambda x: np.fft.fftn(x), [(2, 3, 2)]),
    C(
        "fft.fftn-s-axes-ortho",
        lambda z: np.fft.fftn(z, s=(3, 5), axes=(0, 2), norm="ortho"),
        [(2, 3, 4)],
        complex_,
    ),
    C("fft.fftn-repeated-axes", lambda z: np.fft.fftn(z, axes=(1, 1)), [(2, 3)], complex_),
    C("fft.ifftn", lambda z: np.fft.ifftn(z), [(2, 2, 3)], complex_),
    C(
        "fft.ifftn-real-s-axes-forward",
        lambda x: np.fft.ifftn(x, s=(1, 4), axes=(-1, 0), norm="forward"),
        [(3, 2)],
    ),
    # real transforms -------------------------------------------------------------------------
    C("fft.rfft", lambda x: np.fft.rfft(x), [(6,)]),
    C("fft.rfft-odd", lambda x: np.fft.rfft(x), [(2, 5)]),
    C("fft.rfft-n-pad-ortho", lambda x: np.fft.rfft(x, 8, norm="ortho"), [(5,)]),
    C("fft.rfft-n-crop-axis-forward", lambda x: np.fft.rfft(x, 3, 0, "forward"), [(5, 2)]),
    C("fft.irfft", lambda z: np.fft.irfft(z), [(4,)], complex_),
    C("fft.irfft-real", lambda x: np.fft.irfft(x), [(2, 3)]),
    C("fft.irfft-n-odd-ortho", lambda z: np.fft.irfft(z, 7, norm="ortho"), [(4,)], complex_),
    C("fft.irfft-n-crop-axis", lambda z: np.fft.irfft(z, 4, axis=0), [(5, 2)], complex_),
    C("fft.irfft-n-pad-forward", lambda z: np.fft.irfft(z, 10, norm="forward"), [(3,)], complex_),
    C("fft.rfft2", lambda x: np.fft.rfft2(x), [(3, 4)]),
    C("fft.rfft2-s-forward", lambda x: np.fft.rfft2(x, s=(2, 5), norm="forward"), [(3, 4)]),
    C("fft.rfftn", lambda x: np.fft.rfftn(x), [(2, 3, 3)]),
    C(
        "fft.rfftn-s-axes-ortho",
        lambda x: np.fft.rfftn(x, s=(4, 3), axes=(2, 0), norm="ortho"),
        [(2, 3, 4)],
    ),
    C("fft.irfft2", lambda z: np.fft.irfft2(z), [(3, 3)], complex_),
    C("fft.irfft2-s-ortho", lambda z: np.fft.irfft2(z, s=(2, 5), norm="ortho"), [(3, 2)], complex_),
    C("fft.irfftn", lambda z: np.fft.irfftn(z), [(2, 2, 3)], complex_),
    C(
        "fft.irfftn-s-axes-forward",
        lambda z: np.fft.irfftn(z, s=(2, 5), axes=(2, 0), norm="forward"),
        [(3, 2, 4)],
        complex_,
    ),
    C(
        "fft.irfftn-s-minus-one",
        lambda z: np.fft.irfftn(z, s=(3, -1), axes=(0, 1)),
        [(2, 4)],
        complex_,
    ),
    C("fft.irfftn-real", lambda x: np.fft.irfftn(x, axes=(0,)), [(3, 2)], real),
    # Hermitian transforms --------------------------------------------------------------------
    C("fft.hfft", lambda z: np.fft.hfft(z), [(4,)], complex_),
    C("fft.hfft-real", lambda x: np.fft.hfft(x), [(2, 3)]),
    C("fft.hfft-n-odd-ortho", lambda z: np.fft.hfft(z, 7, norm="ortho"), [(5,)], complex_),
    C("fft.hfft-n-axis-forward", lambda z: np.fft.hfft(z, 3, 0, "forward"), [(4, 2)], complex_),
    C("fft.ihfft", lambda x: np.fft.ihfft(x), [(6,)]),
    C("fft.ihfft-n-pad-forward", lambda x: np.fft.ihfft(x, 7, norm="forward"), [(5,)]),
    C("fft.ihfft-n-crop-axis-ortho", lambda x: np.fft.ihfft(x, 4, 0, "ortho"), [(5, 2)]),
    # shifts ----------------------------------------------------------------------------------
    C("fft.fftshift", lambda x: np.fft.fftshift(x), [(3, 4)]),
    C("fft.fftshift-axes-complex", lambda z: np.fft.fftshift(z, axes=1), [(2, 5)], complex_),
    C("fft.ifftshift", lambda x: np.fft.ifftshift(x), [(5,)]),
    C("fft.ifftshift-axes-complex", lambda z: np.fft.ifftshift(z, axes=(0,)), [(3, 2)], complex_),
    # round trips and chains (the rules' rules meet each other) -------------------------------
    C(
        "fft.irfft-of-rfft",
        lambda x: np.fft.irfft(np.fft.rfft(x) * np.fft.rfft(x), 5),
        [(5,)],
        prims=("fft.rfft", "fft.irfft", "multiply"),
    ),
    C(
        "fft.ifft-of-fftshift",
        lambda z: np.fft.ifft(np.fft.fftshift(np.fft.fft(z))),
        [(4,)],
        complex_,
        prims=("fft.fft", "fft.fftshift", "fft.ifft"),
    ),
]
