"""The lecture's teaching code: one neural unit, a computation graph with backward differentiation,
the perceptron and the proof that it cannot compute XOR, a two-layer network trained by
backpropagation (:mod:`.networks`), and the walk-throughs ``sentclf lecture`` prints and plots
(:mod:`.walkthrough`)."""
