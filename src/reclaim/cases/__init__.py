"""Cases to takedown: reporting routes, the notice state machine, notice texts and the case timeline.

Pure library code: it is given sightings and notices and returns texts, dates and flags; the
store and the vault are reached only through ``reclaim.services``.
"""
