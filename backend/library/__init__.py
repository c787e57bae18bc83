"""Local music folders: scan tags (mutagen), ids from the audio, covers, audio analysis.

`scanner.Scanner` walks `ENCORE_LIBRARY_DIRS` into the store's catalog (`store/catalog*.py`);
the rest of Encore sees local tracks as Tracks with source "local".
"""
