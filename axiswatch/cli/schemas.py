"""`axiswatch schemas export`: the JSON Schema of every topic's message."""

from __future__ import annotations

import argparse

from axiswatch.cli.common import add_command

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "schemas", "Export the JSON Schema of every topic's message.", run, bootstrap=False
    )
    p.add_argument("action", choices=["export"])
    p.add_argument("dir", help="folder to write <topic>.schema.json files into")
    p.add_argument(
        "--base-url",
        default="",
        help="URL the folder is published under, put before each $id (default: none, so each "
        "$id is the file's name and resolves wherever the folder is served). The schemas are "
        "JSON Schema draft-07, the draft Schema Registry validates JSON with; schemas/json/ "
        "holds the committed export",
    )


def run(args: argparse.Namespace) -> int:
    from schemas import export_json_schemas

    for path in export_json_schemas(args.dir, base_url=args.base_url):
        print(path)
    return 0
