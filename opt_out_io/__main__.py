"""The warehouse's commands that act outside a build (README).

    python -m opt_out_io check-list INPUT OUTPUT [--column nhs_number] [--as-of YYYY-MM-DD]
    python -m opt_out_io enquiry                  (the number is asked for)
    python -m opt_out_io load-landing --target postgres|spark [--landing-dir DIR]
"""

from __future__ import annotations

import argparse

from opt_out_io import check_list, enquiry, landing_export


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m opt_out_io", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-list", help=check_list.__doc__.split("\n\n")[0])
    check_list.add_arguments(check)
    check.set_defaults(run=check_list.main)
    ask = commands.add_parser("enquiry", help=enquiry.__doc__.split("\n\n")[0])
    enquiry.add_arguments(ask)
    ask.set_defaults(run=enquiry.main)
    load = commands.add_parser("load-landing", help=landing_export.__doc__.split("\n\n")[0])
    landing_export.add_arguments(load)
    load.set_defaults(run=landing_export.main)
    args, unknown = parser.parse_known_args()
    if unknown:
        if args.command == "enquiry":
            enquiry.refuse_arguments()   # never repeated: it may be the number
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.run(args)


if __name__ == "__main__":
    main()
