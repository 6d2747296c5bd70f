"""A portal generator: the layout of a simulated portal drawn from a seed, each axis on its own.

``layout`` draws the axes and the truth (column tree, documents); ``style`` renders it as a
:class:`testbed.server.Style`; ``report`` crawls many seeds and sums the results per axis value.
"""
