"""The intelligence app keeps no tables: models are files under the data directory (see routing.model_path)."""
