#!/usr/bin/env python3
"""What config/task.schema.json says of each task document in a JSON list: prints a JSON list
holding, per document, null when the schema accepts it, else the first error's message.
    task-schema-verdicts.py <schema.json> <documents.json>"""
import json
import sys

from jsonschema import Draft202012Validator

with open(sys.argv[1], encoding="utf-8") as file:
    schema = json.load(file)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
with open(sys.argv[2], encoding="utf-8") as file:
    documents = json.load(file)
print(json.dumps([next((error.message for error in validator.iter_errors(document)), None)
                  for document in documents]))
