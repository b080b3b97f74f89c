"""Bad-input fixtures for ``tests/test_bad_inputs.py`` (built programmatically in tmp_path)."""
