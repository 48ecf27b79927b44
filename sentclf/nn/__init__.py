"""Numpy building blocks that the classifier's lecture networks and the language model share:
activations and softmax (:mod:`.activations`), optimizers (:mod:`.optimizers`) and worker threads for
numpy loops (:mod:`.workers`). This file holds only names, so configs can offer them without numpy."""

ACTIVATIONS = ("relu", "tanh", "sigmoid")
SKLEARN_NAMES = {"sigmoid": "logistic"}  # scikit-learn's MLPClassifier calls the sigmoid 'logistic'
