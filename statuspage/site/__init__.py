"""The read side: what the public sees, built once per change and served from memory.

snapshot.py reads the database once per change into a read model; builder.py turns it into
a Site, each artifact family in documents/ yielding documents over a shared context.py; the
documents become artifacts.py's prepared bytes; publisher.py swaps the Site a process serves
(at once after a write in this process, by polling for other processes' writes); asgi.py and
fast_path.py serve it, errors.py answers where nothing is published.
"""
