"""Bulk scans of a whole media corpus: the same hashing and matching as `reclaim scan`, per partition.

``partition`` holds the one function both engines run over pandas batches (Spark's
``mapInPandas``, or a local process pool); ``spark_engine`` and ``local_engine`` only feed it.
Nothing here touches the database: the bank arrives as a ``SignalTable`` (the service strips
its case ids first), so executors and their output never learn whose photo matched.
"""
