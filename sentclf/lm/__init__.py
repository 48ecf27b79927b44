"""The language model: the lecture's feedforward neural LM (config, encoding text into windows, the
training text as token ids on disk, the network and its backward pass, training, the LM file, queries)
and the Kneser-Ney baseline. Imports numpy, the data layer and :mod:`sentclf.nn`; never the
classifier (they are siblings)."""
