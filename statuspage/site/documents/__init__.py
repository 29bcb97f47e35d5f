"""The artifact families: each module's `build(ctx)` yields the documents of one family.

Builders read the BuildContext and the snapshot in it; they never reach the builder, the
publisher or the web layer. (Not named `build/`: packaging and copy tools skip directories
of that name, and the wheel would ship without it.)
"""
