"""`python -m benchmarks [--quick]`: set up, measure everything side by side, print the table, write JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import report, suite


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=suite.__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="ÖMS data and 100k only, fewer and shorter runs")
    parser.add_argument(
        "--size",
        action="append",
        choices=suite.SIZES,
        help="only this size (repeatable; default: every size, ÖMS data to 10m)",
    )
    parser.add_argument(
        "--skip-build",
        "--skip-cold",
        action="store_true",
        help="do not measure `oms-ld build` (reuse a built release; build once unmeasured if there is none)",
    )
    parser.add_argument(
        "--no-slow-clients", action="store_true", help="the mixed load without the 16 slow clients attached"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"ready synthetic data as DIR/synthetic-{{100k,1m,10m}}, used as is (also ${suite.DATA_ENV})",
    )
    parser.add_argument("--report", type=Path, metavar="JSON", help="only print the table of an earlier run")
    parser.add_argument("--markdown", action="store_true", help="with --report: the README's tables instead")
    args = parser.parse_args()
    if args.report:
        result = json.loads(args.report.read_text())
        print(report.markdown(result) if args.markdown else report.render(result))
        return
    plan = suite.Plan.quick() if args.quick else suite.Plan.full()
    if args.skip_build:
        plan = suite.Plan(**{**plan.__dict__, "build": False})
    if args.no_slow_clients:
        plan = suite.Plan(**{**plan.__dict__, "slow_clients": False})
    if args.data_dir:
        os.environ[suite.DATA_ENV] = str(args.data_dir.resolve())
    result = suite.run(plan, args.size)
    print(report.render(result))
    print(f"\n(JSON: {suite.RESULTS / 'latest.json'})", file=sys.stderr)


if __name__ == "__main__":
    main()
