"""The tape on its own: no arrays, Python floats and a toy propagate."""

from __future__ import annotations

import operator
import threading

from minpy import tape
from minpy.tape import Node, backward


def _prop(node, g, floor, bit):
    # toy rule: node.args holds the local derivative for each parent
    return [(p, g * d) for p, d in zip(node.parents, node.args) if p.seq >= floor and p.mask & bit]


def test_backward_diamond_accumulates():
    x = Node((), (), 1)
    a = Node((x,), (0,), 1, args=(2.0,))  # a = 2x
    b = Node((x,), (0,), 1, args=(3.0,))  # b = 3x
    c = Node((a, b), (0, 1), 1, args=(1.0, 1.0))  # c = a + b
    grads = backward([(c, 1.0)], [x], _prop, operator.add, release=False)
    assert grads[x] == 5.0


def test_backward_stops_at_targets_and_floor():
    outer = Node((), (), 1)
    inner = Node((outer,), (0,), 3, args=(1.0,))  # an inner trace's entry point
    y = Node((inner,), (0,), 3, args=(4.0,))
    grads = backward([(y, 1.0)], [inner], _prop, operator.add, release=False)
    assert grads == {inner: 4.0}  # outer is older than the target: never visited


def test_backward_follows_only_the_trace_of_its_bit():
    x = Node((), (), 1)  # the outer trace's input
    z = Node((), (), 2)  # an inner trace's input, after the inner trace finished
    e = Node((z,), (0,), 2, args=(7.0,))  # depends on the inner trace only
    y = Node((x, e), (0, 1), 3, args=(2.0, 1.0))
    seen = []

    def prop(node, g, floor, bit):
        seen.append(node)
        return _prop(node, g, floor, bit)

    grads = backward([(y, 1.0)], [x], prop, operator.add, release=False, bit=1)
    assert grads == {x: 2.0}
    assert e not in seen  # never walked into: it cannot reach x


def test_backward_release_drops_saved_values():
    x = Node((), (), 1)
    y = Node((x,), (0,), 1, args=(2.0,), ans=object())
    backward([(y, 1.0)], [x], _prop, operator.add, release=True)
    assert y.parents == () and y.ans is None and y.args == ()


def test_backward_no_targets_is_empty():
    x = Node((), (), 1)
    assert backward([(x, 1.0)], [], _prop, operator.add, release=False) == {}


def test_nodes_numbered_in_creation_order():
    a = Node((), (), 1)
    b = Node((a,), (0,), 1)
    assert b.seq > a.seq


def test_trace_bits_nest_and_free():
    assert tape.active_mask() == 0
    b1 = tape.start_trace()
    b2 = tape.start_trace()
    assert b1 != b2 and tape.active_mask() == b1 | b2
    tape.stop_trace(b2)
    assert tape.active_mask() == b1
    b3 = tape.start_trace()
    assert b3 == b2  # a freed bit is reused
    tape.stop_trace(b3)
    tape.stop_trace(b1)
    assert tape.active_mask() == 0


def test_trace_bits_are_per_thread():
    bit = tape.start_trace()
    seen = []
    t = threading.Thread(target=lambda: seen.append(tape.active_mask()))
    t.start()
    t.join()
    tape.stop_trace(bit)
    assert seen == [0]
