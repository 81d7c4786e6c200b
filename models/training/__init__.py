"""Training code for the bundled demo model (entry point: models/train_demo.py)."""
