"""Every write of the sunshine app, one module per noun (one transaction per action, with history).

Import the module you need (``shilian.sunshine.actions.snapshots`` …): the camera state is
written only by the video supervisor (``actions.state``), detections by their reviewers.
"""
