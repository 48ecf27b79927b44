"""sentclf: sentiment classification with the lecture's six features, logistic regression vs an MLP."""
__version__ = "0.1.0"
