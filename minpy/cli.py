"""The ``minpy`` console script: ``minpy demo`` and ``minpy info``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _device(name: str):  # type: ignore[no-untyped-def]
    import minpy

    if name == "cpu":
        return minpy.cpu()
    kind, _, index = name.partition(":")
    if kind == "gpu":
        return minpy.gpu(int(index or 0))
    raise SystemExit(f"unknown device {name!r}; use cpu, gpu or gpu:N")


def main(argv: list[str] | None = None) -> int:
    """Run the console script; returns the exit status."""
    parser = argparse.ArgumentParser(prog="minpy", description="minpy command-line tools")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train an MLP and a CNN with minpy.nn on digits")
    demo.add_argument("--device", default="cpu", help="cpu (default), gpu or gpu:N")
    demo.add_argument("--epochs", type=int, default=None, help="epochs (default: 15 MLP, 8 CNN)")
    demo.add_argument("--plot", default=None, help="write loss/accuracy curves: OUT-mlp.png ...")
    demo.add_argument("--seed", type=int, default=0)
    sub.add_parser("info", help="versions, devices found, the active policy, GPU availability")
    args = parser.parse_args(argv)
    if args.command == "info":
        from minpy.info import report

        print(report())
    if args.command == "demo":
        from minpy.demo import run
        from minpy.errors import BackendUnavailableError

        try:
            run(epochs=args.epochs, seed=args.seed, device=_device(args.device), plot=args.plot)
        except BackendUnavailableError as exc:  # the first hour: one line that says the fix
            print(f"minpy demo: {exc}; `minpy info` shows what minpy finds", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
