"""``sentclf serve``: a model behind HTTP (FastAPI on uvicorn, the ``serve`` extra), micro-batched,
bounded, with a page to look at predictions. Nothing here is imported unless serving."""
