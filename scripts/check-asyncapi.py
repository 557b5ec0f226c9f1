#!/usr/bin/env python3
"""Validates AsyncAPI 3.0 documents (JSON files) with pydantic-asyncapi's models of the 3.0.0
specification, and checks that every $ref inside a document resolves.

Prints one JSON object: {"file": "error" or null, ...}; exit status 0 either way.
"""
import json
import sys

from pydantic_asyncapi import AsyncAPI


def unresolved(document):
    """The $refs of the document that point nowhere."""
    missing = []

    def resolve(pointer):
        node = document
        for part in pointer.lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(node):
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and not resolve(reference):
                missing.append(reference)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return missing


def misplaced(document):
    """Operation messages that are not messages of the operation's channel (AsyncAPI 3.0 asks
    for a subset)."""
    wrong = []
    for name, operation in document.get("operations", {}).items():
        channel = operation.get("channel", {}).get("$ref", "")
        for message in operation.get("messages", []):
            if not message.get("$ref", "").startswith(channel + "/messages/"):
                wrong.append(f"{name}: {message.get('$ref')}")
    return wrong


def main() -> int:
    results = {}
    for name in sys.argv[1:]:
        try:
            with open(name) as handle:
                document = json.load(handle)
            AsyncAPI.model_validate(document)
            problems = [f"unresolved $ref: {ref}" for ref in unresolved(document)] + [
                f"not a message of its channel: {entry}" for entry in misplaced(document)
            ]
            results[name] = "; ".join(problems) if problems else None
        except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
            results[name] = f"{type(error).__name__}: {error}"[:3000]
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
