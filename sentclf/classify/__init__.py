"""The classifier. Its verbs are the modules here: ``training`` (train), ``streaming`` (train
--stream), ``prediction`` (predict), ``featuredump`` (features), ``comparison`` (compare),
``evaluation`` (evaluate) and ``explain``, with their configs (``config``) and the rows predict and
features write (``rows``). What they use is below them, one subpackage per concern: ``features``
(the block registry, one module per block, the lexicons), ``vectors`` (word vectors and their
sources), ``encoder`` (the sentence encoder), ``models`` (the model builders), ``modelfile`` (the
model file and its allowlist), ``validation`` (metrics, cross-validation, significance, plots) and
``parallel`` (Dask, worker processes). Subpackages never import the verbs.

Imports scikit-learn, numpy, the data layer and sentclf's shared modules; never the language
model (they are siblings)."""
