"""Times sacrebleu sentence BLEU, rouge-score ROUGE-L and jiwer WER over the pairs in a JSON file
(argv[1]: [[hypothesis, reference], ...]) and prints their scores and timings as JSON, for
`ltb-benchmarks text-metrics` to compare with ours. Each library is used the fast way: one scorer
object, reused."""
import json
import sys
import time

import jiwer
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU

pairs = json.load(open(sys.argv[1]))
bleu = BLEU(effective_order=True)
rouge = rouge_scorer.RougeScorer(["rougeL"])

start = time.perf_counter()
bleu_scores = [bleu.sentence_score(h, [r]).score for h, r in pairs]
bleu_seconds = time.perf_counter() - start

start = time.perf_counter()
rouge_scores = [rouge.score(r, h)["rougeL"].fmeasure for h, r in pairs]
rouge_seconds = time.perf_counter() - start

start = time.perf_counter()
wer_scores = [jiwer.wer(r, h) for h, r in pairs]
wer_seconds = time.perf_counter() - start

json.dump({
    "bleu": bleu_scores, "rougeL": rouge_scores, "wer": wer_scores,
    "seconds": {"bleu": bleu_seconds, "rougeL": rouge_seconds, "wer": wer_seconds},
}, sys.stdout)
