"""The data layer: readers for every input format, documents to score, data sources (files, stdin,
the registry's datasets, the default corpus) and fetching. Imports only the standard library,
:mod:`sentclf.errors` and :mod:`sentclf.paths` (pooch and requests when fetching); nothing above it."""
