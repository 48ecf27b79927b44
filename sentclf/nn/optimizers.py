"""Optimizers over a dict of numpy arrays, updated in place: Adam and SGD with momentum."""

from __future__ import annotations

import numpy as np

from sentclf.nn.threads import Workers

PARALLEL_MIN = 1 << 18  # arrays at least this big are updated in one slice per core
CHUNK = 1 << 16  # elements per chunk of a dense update: 256 KB of each float32 array, in L2 and L3


def lazy_views(grad: tuple, *arrays) -> tuple:
    """(rows, values, *arrays) of a sparse gradient: (rows, values) updates rows of the arrays;
    (columns, values, 1) updates their columns, through transposed views that write through."""
    rows, values, *axis = grad
    return (rows, values, *(a.T if axis and axis[0] == 1 else a for a in arrays))


class Adam:
    """Adam (Kingma & Ba 2015) over a dict of numpy arrays, updated in place.

    ``step(grads)`` takes gradients by name: an array, or for embeddings a (rows, values) pair, in
    which case only those rows and their moments are updated ("lazy" Adam), so a batch costs what its
    words cost, not the whole vocabulary; (columns, values, 1) does the same for columns. Big arrays
    are updated in one slice per core.
    """

    def __init__(
        self,
        params: dict,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        workers: Workers | None = None,
    ):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}
        self.workers = workers or Workers()
        self._buffers: dict = {}

    def step(self, grads: dict) -> None:
        self.t += 1
        b1, b2 = self.betas
        rate = self.lr * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for name, grad in grads.items():
            if isinstance(grad, tuple):
                rows, values, param, m_all, v_all = lazy_views(grad, self.params[name], self.m[name], self.v[name])
                m, v = m_all[rows], v_all[rows]
                self._update(m, v, values, param, rows, rate, None)
                m_all[rows], v_all[rows] = m, v
                continue
            parts = [self.m[name], self.v[name], grad, self.params[name]]
            n_slices = self.workers.n_threads if grad.size >= PARALLEL_MIN and grad.ndim else 1
            slices = list(zip(*(np.array_split(part, n_slices) for part in parts)))
            self.workers.map(lambda job, name=name: self._update_slice(name, rate, *job), list(enumerate(slices)))

    def _update_slice(self, name: str, rate: float, index: int, parts: tuple) -> None:
        """Update one slice, a cache-sized chunk at a time when it is contiguous: the update's dozen
        passes then reread the chunk from cache instead of memory (bench/README.md, "Figures behind
        the code's choices")."""
        contiguous = all(part.flags.c_contiguous for part in parts)
        m, v, grad, param = (part.reshape(-1) for part in parts) if contiguous else parts
        size = CHUNK if contiguous else len(grad)  # a strided slice: in one piece
        scratch = self._scratch((name, index), grad[:size])
        for start in range(0, len(grad), size):
            chunk = slice(start, start + size)
            n = len(grad[chunk])
            self._update(m[chunk], v[chunk], grad[chunk], param[chunk], None, rate, scratch[:n])

    def _update(self, m, v, grad, param, rows, rate: float, scratch) -> None:
        """m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; p ← p − rate · m / (√v + ε), all in place
        through one scratch array (fresh temporaries of a million floats cost page faults every step)."""
        b1, b2 = self.betas
        tmp = np.multiply(grad, 1 - b1, out=scratch)
        m *= b1
        m += tmp
        np.square(grad, out=tmp)
        tmp *= 1 - b2
        v *= b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= rate
        if rows is None:
            param -= tmp
        else:
            param[rows] -= tmp

    def _scratch(self, key, like: np.ndarray) -> np.ndarray:
        """A scratch array per (parameter, slice), kept between steps."""
        if key not in self._buffers or self._buffers[key].shape != like.shape:
            self._buffers[key] = np.empty_like(like)
        return self._buffers[key]


class MomentumSGD:
    """SGD with (heavy-ball) momentum over a dict of arrays, the same interface as :class:`Adam`."""

    def __init__(self, params: dict, lr: float, momentum: float = 0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, grads: dict) -> None:
        for name, grad in grads.items():
            velocity, param = self.velocity[name], self.params[name]
            if isinstance(grad, tuple):
                rows, values, param, velocity = lazy_views(grad, param, velocity)
                velocity[rows] = self.momentum * velocity[rows] - self.lr * values
                param[rows] += velocity[rows]
            else:
                velocity *= self.momentum
                velocity -= self.lr * grad
                param += velocity
