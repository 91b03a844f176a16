"""Reference values for the text-metric parity tests, from the real Python libraries.

Reads {"pairs": [{"hypothesis", "references"}...], "words": [...]} on stdin and writes, per pair,
sacrebleu sentence BLEU and chrF, rouge-score ROUGE-1/2/L with and without stemming, jiwer WER
and CER, plus corpus-level BLEU, chrF, WER and CER, and NLTK Porter stems of "words".
"""
import json
import sys

import jiwer
import sacrebleu
from nltk.stem.porter import PorterStemmer
from rouge_score import rouge_scorer

request = json.load(sys.stdin)
pairs = request["pairs"]
plain = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
stemmed = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)


def rouge(scorer, target, prediction):
    scores = scorer.score(target, prediction)
    return {name: [s.precision, s.recall, s.fmeasure] for name, s in scores.items()}


out = []
for pair in pairs:
    hyp, refs = pair["hypothesis"], pair["references"]
    out.append({
        "bleu": sacrebleu.sentence_bleu(hyp, refs).score,
        "chrf": sacrebleu.sentence_chrf(hyp, refs).score,
        "rouge": rouge(plain, refs[0], hyp),
        "rougeStemmed": rouge(stemmed, refs[0], hyp),
        "wer": jiwer.wer(refs[0], hyp),
        "cer": jiwer.cer(refs[0], hyp),
    })

hyps = [p["hypothesis"] for p in pairs]
first = [p["references"][0] for p in pairs]
multi = [p for p in pairs if len(p["references"]) == 2]
corpus = {
    "bleu": sacrebleu.corpus_bleu(hyps, [first]).score,
    "chrf": sacrebleu.corpus_chrf(hyps, [first]).score,
    "bleuTwoReferences": sacrebleu.corpus_bleu(
        [p["hypothesis"] for p in multi], [[p["references"][i] for p in multi] for i in range(2)]).score,
    "wer": jiwer.wer(first, hyps),
    "cer": jiwer.cer(first, hyps),
}
stemmer = PorterStemmer()
json.dump({"pairs": out, "corpus": corpus, "stems": [stemmer.stem(w) for w in request["words"]]}, sys.stdout)
