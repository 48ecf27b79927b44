"""Typed errors. The library raises these; the CLI turns them into one-line messages."""


class SentclfError(Exception):
    """Base class of every expected failure. Its message says what went wrong and what to do next."""


class DataError(SentclfError):
    """Input data that cannot be read: missing file, bad encoding, a row without text or label."""


class LexiconError(SentclfError):
    """A lexicon that is missing, empty or unreadable."""


class ModelFileError(SentclfError):
    """A model file that is missing, corrupt, truncated, too new, or not a sentclf model."""


class UnsafeModelError(ModelFileError):
    """A model file that refers to code no sentclf model contains: refused unless trusted."""


class ConfigError(SentclfError):
    """An option value or combination of options the library cannot use."""


class VectorsError(SentclfError):
    """A word-vector file that is missing, malformed, or of an unknown format."""


class SchedulerError(SentclfError):
    """A Dask scheduler that cannot be reached (or a cluster that fails while working)."""


class WorkerError(SentclfError):
    """A worker process that stopped while scoring (``predict --jobs``): killed, or out of memory."""


class OptionConflictError(ConfigError):
    """Two options that cannot be used together, or an option that has no effect without another:
    the CLI reports it as a usage error (exit 2). The message names both options."""


class OutputError(SentclfError):
    """An output that cannot be written: it exists (and --force was not given), it is one of the
    inputs, or its folder cannot be written."""
