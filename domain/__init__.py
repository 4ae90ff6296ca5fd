"""The plant's vocabulary and its pure rules: plain Python with no input or output.

Every layer may import it (ui, reports, app, data, migrations); it imports nothing of MPSYSTEM.
"""
