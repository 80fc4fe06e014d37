"""`python -m benchmarks [--quick]`: set up, measure everything side by side, print the table, write JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import report, suite


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=suite.__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="ÖMS data and 100k only, fewer and shorter runs")
    parser.add_argument("--size", action="append", choices=("oms", "100k", "1m", "10m"),
                        help="only this size (repeatable; 10m only when asked for)")
    parser.add_argument(
        "--skip-cold",
        action="store_true",
        help="skip the cold starts (reuse a recorded validation; validate once unmeasured if none)",
    )
    parser.add_argument("--report", type=Path, metavar="JSON", help="only print the table of an earlier run")
    parser.add_argument("--markdown", action="store_true", help="with --report: the README's tables instead")
    args = parser.parse_args()
    if args.report:
        result = json.loads(args.report.read_text())
        print(report.markdown(result) if args.markdown else report.render(result))
        return
    plan = suite.Plan.quick() if args.quick else suite.Plan.full()
    if args.skip_cold:
        plan = suite.Plan(**{**plan.__dict__, "cold": False})
    result = suite.run(plan, args.size)
    print(report.render(result))
    print(f"\n(JSON: {suite.RESULTS / 'latest.json'})", file=sys.stderr)


if __name__ == "__main__":
    main()
