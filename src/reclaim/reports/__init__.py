"""Case reports for police, courts and lawyers, in Chinese and English, as PDF or one HTML file.

``content`` holds the facts (built by ``reclaim.services.report`` from the store), ``compose``
turns them into a translated document, ``html`` and ``pdf`` lay that document out. Nothing here
reads the database or the vault: thumbnails arrive already blurred.
"""
