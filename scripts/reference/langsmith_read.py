"""Reads a dataset's examples with the official `langsmith` client and prints them as JSON.

Usage: langsmith_read.py API_URL API_KEY DATASET_NAME
"""
import json
import sys

from langsmith import Client

client = Client(api_url=sys.argv[1], api_key=sys.argv[2])
dataset = client.read_dataset(dataset_name=sys.argv[3])
examples = list(client.list_examples(dataset_name=sys.argv[3]))
print(json.dumps({
    "dataset": {"id": str(dataset.id), "name": dataset.name, "data_type": str(dataset.data_type.value if dataset.data_type else None)},
    "examples": [{"id": str(e.id), "inputs": e.inputs, "outputs": e.outputs, "metadata": e.metadata} for e in examples],
}))
