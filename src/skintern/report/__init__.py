"""Reports: paper-Table-1-shaped tables, per-task tables and plots from evaluated runs.

CLI: `skintern report RUN_DIR [RUN_DIR ...] [--compare --out DIR]` (see `skintern.report.stage`).
"""
