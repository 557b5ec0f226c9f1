#!/usr/bin/env python3
"""Validates OpenAPI documents (JSON files) with openapi-spec-validator.

Prints one JSON object: {"file": "error" or null, ...}; exit status 0 either way.
"""
import json
import sys

from openapi_spec_validator import validate


def main() -> int:
    results = {}
    for name in sys.argv[1:]:
        try:
            with open(name) as handle:
                validate(json.load(handle))
            results[name] = None
        except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
            results[name] = f"{type(error).__name__}: {error}"[:2000]
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
