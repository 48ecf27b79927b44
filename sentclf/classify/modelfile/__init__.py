"""The classifier's model file: save fitted pipelines with their metadata, and load them back through
an allowlist that runs no code the file brings (:mod:`.unpickling`)."""

from sentclf.classify.modelfile.model import PAYLOAD_MEMBER, Model, ModelSource, load, save

__all__ = ("PAYLOAD_MEMBER", "Model", "ModelSource", "load", "save")
