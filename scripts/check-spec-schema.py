#!/usr/bin/env python3
"""Validates spec files against schemas/zibri-spec.schema.json (JSON Schema 2020-12).

Prints one JSON object: {"file": ["error", ...], ...}; an empty list means the file is valid.
YAML is read by the YAML 1.2 core schema, as Zibri's loader reads it: `yes`/`on` stay strings
and unquoted dates stay strings (PyYAML's default is YAML 1.1).
"""
import json
import pathlib
import re
import sys

import jsonschema
import yaml


class CoreSchemaLoader(yaml.SafeLoader):
    pass


# Drop YAML 1.1's bool and timestamp resolvers; add back YAML 1.2's true/false.
CoreSchemaLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CoreSchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    schema = json.loads((root / "schemas" / "zibri-spec.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    results = {}
    for name in sys.argv[1:]:
        try:
            document = yaml.load(pathlib.Path(name).read_text(), Loader=CoreSchemaLoader)
        except yaml.YAMLError as error:
            results[name] = [f"YAML: {error}"]
            continue
        results[name] = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
