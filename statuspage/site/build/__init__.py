"""The artifact families: each module's `build(ctx)` yields the documents of one family.

Builders read the BuildContext and the snapshot in it; they never reach the builder, the
publisher or the web layer.
"""
