"""The language model: the lecture's feedforward neural LM (config, encoding text into windows, the
network and its backward pass, training, the LM file, queries) and the Kneser-Ney baseline. Imports
numpy, nltk, the data layer and :mod:`sentclf.nn`; never the classifier (they are siblings)."""
