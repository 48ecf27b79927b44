"""The model builders: what shapes a model (:mod:`.spec`), the scikit-learn pipelines (:mod:`.pipeline`)
and what a fitted one is made of (:mod:`.parts`), the ensemble (:mod:`.ensemble`), NB-LR's
per-class logistic regression (:mod:`.perclass`) and the lexicon baseline (:mod:`.lexicon_rule`)."""
