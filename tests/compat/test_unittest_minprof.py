"""MinPy's tests/unittest/test_minprof.py: ``@minprof`` on a recursive function and on nested
calls, ``with minprof():`` blocks (nested), and ``minprof.print_stats()``."""

from __future__ import annotations

from minpy.utils.minprof import minprof


def test_minprof(capsys) -> None:
    @minprof
    def recur_func(i):
        if i == 0:
            return
        return recur_func(i - 1)

    recur_func(100)

    @minprof
    def fun_A():
        for _ in range(2):
            fun_B()

    @minprof
    def fun_B():
        for _ in range(3):
            fun_C()

    @minprof
    def fun_C():
        for _ in range(4):
            fun_D()

    @minprof
    def fun_D():
        k = 0
        for _ in range(5):
            k += 1

    with minprof():
        k = 0
        with minprof():
            k += 1

    fun_A()
    minprof.print_stats()
    out = capsys.readouterr().out
    for name in ("recur_func", "fun_A", "fun_B", "fun_C", "fun_D"):
        assert name in out
    calls = {
        (name, line): stamps
        for (_, line, name), stamps in minprof.get_stats().timings.items()
        if name.startswith("fun_")
    }
    assert sorted(len(v) for v in calls.values()) == [2 * 0 + 1, 2, 6, 24]
