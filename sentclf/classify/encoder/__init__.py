"""The sentence encoder, all-MiniLM-L6-v2 without torch: its weights (:mod:`.weights`, the leaf both
backends import), the numpy forward pass (:mod:`.forward`, the readable reference), the same network
as an ONNX graph for onnxruntime (:mod:`.graph`), the batching encoder (:mod:`.sentence`) and the
on-disk cache of its vectors (:mod:`.cache`)."""
