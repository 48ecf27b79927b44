"""The classifier: configs, lexicons, the feature blocks and their registry, vectors and pooled
embeddings, pipelines, training, prediction, metrics, cross-validation, significance, plots,
explanations and the model file. Imports scikit-learn, numpy, the data layer and sentclf's shared
modules (text, nn, archive, paths, errors); never the language model (they are siblings)."""
