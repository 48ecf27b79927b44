"""Measuring models: held-out metrics (:mod:`.metrics`), cross-validation over models x feature sets
and the learning curve (:mod:`.crossval`), significance tests (:mod:`.significance`) and the
pictures of all three (:mod:`.plots`)."""
