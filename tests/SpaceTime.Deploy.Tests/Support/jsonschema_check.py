"""Validates a YAML or JSON document against a JSON schema with python3-jsonschema.

Usage: python3 jsonschema_check.py SCHEMA.json DOCUMENT.(yml|json) DRAFT   (DRAFT: 7 or 2019-09)
Prints one line per error ("path: message") and exits 1 when there is any; exits 0 when the document is valid.
"""
import json
import sys

import jsonschema
import yaml

schema_path, document_path, draft = sys.argv[1:4]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
with open(document_path, encoding="utf-8") as f:
    document = yaml.safe_load(f)
validator_class = {"7": jsonschema.Draft7Validator, "2019-09": jsonschema.Draft201909Validator}[draft]
validator_class.check_schema(schema)
errors = sorted(validator_class(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
for error in errors:
    print(f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}")
sys.exit(1 if errors else 0)
