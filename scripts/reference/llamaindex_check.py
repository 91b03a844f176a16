"""LlamaIndex's own classes (llama-index-core) writing and reading what ltb reads and writes.

usage: llamaindex_check.py write PATH          a LabelledRagDataset of three examples, saved by LlamaIndex
       llamaindex_check.py read-dataset PATH   load a LabelledRagDataset; print its examples as JSON
       llamaindex_check.py read-evals PATH     validate every EvaluationResult; print a summary as JSON
"""
import json
import sys

from llama_index.core.evaluation import EvaluationResult
from llama_index.core.llama_dataset import CreatedBy, CreatedByType, LabelledRagDataExample, LabelledRagDataset

mode, path = sys.argv[1], sys.argv[2]
if mode == "write":
    examples = [
        LabelledRagDataExample(
            query=f"Which city is the capital of country {i}?",
            reference_contexts=[f"Country {i} has its capital in city {i}.", "Capitals host governments."],
            reference_answer=f"City {i}.",
            query_by=CreatedBy(type=CreatedByType.AI, model_name="gpt-4o"),
            reference_answer_by=CreatedBy(type=CreatedByType.HUMAN))
        for i in range(3)
    ]
    LabelledRagDataset(examples=examples).save_json(path)
elif mode == "read-dataset":
    dataset = LabelledRagDataset.from_json(path)
    print(json.dumps([{"query": e.query, "contexts": e.reference_contexts, "answer": e.reference_answer}
                      for e in dataset.examples]))
else:
    document = json.load(open(path))
    summary = {}
    for metric, items in document.items():
        results = [EvaluationResult.model_validate(item) for item in items]
        summary[metric] = {
            "count": len(results), "passing": sum(1 for r in results if r.passing),
            "invalid": sum(1 for r in results if r.invalid_result),
            "queries": sorted({r.query for r in results}), "contexts": [r.contexts for r in results][:1],
            "scores": sorted({r.score for r in results if r.score is not None}),
        }
    print(json.dumps(summary))
