"""HTML for people: the parts the serve page and the HTML reports share (probability bars, words
coloured by their contribution, tables, pictures), each a function from data to escaped markup, and
the one stylesheet. Self-contained: no script or font from anywhere else."""
