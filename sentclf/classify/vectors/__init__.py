"""Word vectors and where they come from: vectors files read a row at a time (:mod:`.files`), the
sources a feature block loads them from, ``minilm``'s WordPiece table included (:mod:`.sources`),
and the options that choose them (:mod:`.embedding_config`)."""
