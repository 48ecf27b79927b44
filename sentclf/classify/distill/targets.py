"""The student's targets: the teacher's probabilities, softened or sharpened by a temperature, mixed
with the true labels where there are some (Hinton et al. 2015)."""

from __future__ import annotations

import numpy as np


def with_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): T > 1 spreads the teacher's mass over the classes it ranked second, T < 1
    sharpens it, T = 1 leaves it as it is."""
    if temperature == 1.0:
        return np.asarray(probabilities, dtype=np.float64)
    logits = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def mixed(teacher: np.ndarray, labels: np.ndarray | None, classes: list, label_weight: float) -> np.ndarray:
    """(1 − λ)·teacher + λ·one-hot(label) for rows with a label (``labels`` None: the teacher alone)."""
    if labels is None or label_weight == 0:
        return teacher
    onehot = (np.asarray(labels, dtype=object)[:, None] == np.asarray(classes, dtype=object)[None, :]).astype(float)
    return (1 - label_weight) * teacher + label_weight * onehot
